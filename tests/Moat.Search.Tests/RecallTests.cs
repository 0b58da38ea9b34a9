using System.Diagnostics;
using Xunit.Abstractions;

namespace Moat.Search.Tests;

/// <summary>
/// Recall@10 of the ANN path against exact search on the shared clustered data set, unfiltered and
/// with filters passing 50%, 5% and 0.5% of the rows (through the adaptive strategy, and forced
/// through the index to prove filtering happens inside it).
/// </summary>
[Collection(RecallCollection.Name)]
public class RecallTests(RecallFixture data, ITestOutputHelper output)
{
    private const int K = 10;

    public static TheoryData<string, int, AnnStrategy> Cases() => new()
    {
        { "unfiltered", 1000, AnnStrategy.Auto },
        { "50%", 500, AnnStrategy.Auto },
        { "5%", 50, AnnStrategy.Auto },
        { "0.5%", 5, AnnStrategy.Auto },
        { "50%", 500, AnnStrategy.Index },
        { "5%", 50, AnnStrategy.Index },
        { "0.5%", 5, AnnStrategy.Index },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Recall_at_10_is_at_least_0_95(string name, int buckets, AnnStrategy strategy)
    {
        FilterExpr? filter = buckets >= 1000 ? null : new Predicate("bucket", FilterOp.Lt, FieldValue.Int64(buckets));
        var ann = new AnnOptions { Strategy = strategy };
        foreach (var q in data.Queries.Take(5))
        {
            // Warm up (JIT, pools) before timing.
            data.Snapshot.Search(new SearchQuery { RankBy = new VectorRanking("v", q), TopK = K, Filter = filter, Ann = ann });
            data.Snapshot.Search(new SearchQuery { RankBy = new VectorRanking("v", q, Exact: true), TopK = K, Filter = filter });
        }

        double recall = 0;
        var annTime = TimeSpan.Zero;
        var exactTime = TimeSpan.Zero;
        var indexed = 0;
        foreach (var q in data.Queries)
        {
            var sw = Stopwatch.StartNew();
            var exact = data.Snapshot.Search(new SearchQuery { RankBy = new VectorRanking("v", q, Exact: true), TopK = K, Filter = filter, Projection = Projection.IdsOnly });
            exactTime += sw.Elapsed;
            sw.Restart();
            var approx = data.Snapshot.Search(new SearchQuery { RankBy = new VectorRanking("v", q), TopK = K, Filter = filter, Ann = ann, Projection = Projection.IdsOnly });
            annTime += sw.Elapsed;
            indexed += approx.Stats.IndexedSegments;
            Assert.Equal(K, exact.Hits.Count);
            recall += exact.Hits.Select(h => h.Id).Intersect(approx.Hits.Select(h => h.Id)).Count() / (double)K;
        }

        recall /= data.Queries.Length;
        var index = data.Index;
        output.WriteLine(
            $"{data.Rows} x {RecallFixture.Dims}, {name} ({strategy}): recall@10 = {recall:F4}; ANN {annTime.TotalMilliseconds / data.Queries.Length:F2} ms/query " +
            $"({indexed} of {data.Queries.Length} through the index), exact {exactTime.TotalMilliseconds / data.Queries.Length:F2} ms/query; " +
            $"index {index.Lists} lists, {index.DefaultProbes} probes, {(double)index.MemoryBytes / index.Count:F1} bytes/vector " +
            $"({(double)index.MemoryBytes / (index.Count * RecallFixture.Dims * 4.0):F3}x raw f32); build {data.BuildTime.TotalSeconds:F1} s (train {data.TrainTime.TotalSeconds:F1} s)");
        Assert.True(recall >= 0.95, $"recall@10 {recall:F4} < 0.95 ({name}, {strategy})");
        if (strategy == AnnStrategy.Index || buckets >= 500)
        {
            Assert.Equal(data.Queries.Length, indexed);
        }
    }

    [Fact]
    public void Index_memory_is_at_most_1_5x_the_raw_vectors()
    {
        var index = data.Index;
        var raw = (long)index.Count * RecallFixture.Dims * 4;
        output.WriteLine($"index {index.MemoryBytes} bytes for {index.Count} vectors: {(double)index.MemoryBytes / index.Count:F1} bytes/vector, raw {RecallFixture.Dims * 4}");
        Assert.Equal(data.Rows, index.Count);
        Assert.True(index.MemoryBytes <= raw * 1.5);
    }
}
