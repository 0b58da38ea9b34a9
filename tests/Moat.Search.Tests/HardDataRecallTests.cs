using System.Buffers;
using System.Buffers.Binary;
using Moat.Search.Vectors;
using Xunit.Abstractions;

namespace Moat.Search.Tests;

/// <summary>
/// Data on which a fixed fraction of the lists is far too few probes: weakly clustered (100 centres
/// N(0, 0.5²), points N(centre, 1)) and uniform in [−1, 1]^128. The probe count the index
/// calibrated on its own rows must give recall@10 ≥ 0.95 with no tuning by the caller, unfiltered
/// and under a 5% filter forced through the index; the stored probes survive the serialised form,
/// and a version 1 index (no stored probes) still loads with the fixed rule.
/// </summary>
public class HardDataRecallTests(ITestOutputHelper output)
{
    private const int Dims = 128;
    private const int Rows = 10_000;
    private const int QueryCount = 50;
    private const int K = 10;

    public enum Shape
    {
        Weak,
        Uniform,
    }

    private static (SearchSnapshot Snapshot, VectorColumn Column, float[][] Queries) Build(Shape shape, VectorMetric metric)
    {
        var rng = new SeededRandom(shape == Shape.Weak ? 41UL : 43UL);
        var centers = Enumerable.Range(0, 100).Select(_ => Enumerable.Range(0, Dims).Select(_ => (float)(rng.NextGaussian() * 0.5)).ToArray()).ToArray();
        float[] Sample()
        {
            if (shape == Shape.Uniform)
            {
                return Enumerable.Range(0, Dims).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
            }

            var c = centers[rng.Next(centers.Length)];
            return c.Select(x => x + (float)rng.NextGaussian()).ToArray();
        }

        var b = new SearchSegmentBuilder(DocIdKind.U64, "hard").Vector("v", Dims, metric);
        b.VectorIndexFactory = c => IvfSq8Index.Train(c);
        for (var i = 0; i < Rows; i++)
        {
            b.Add(DocId.FromU64((ulong)i), new Dictionary<string, FieldValue?> { ["bucket"] = FieldValue.Int64(i % 100) }, new Dictionary<string, float[]> { ["v"] = Sample() });
        }

        var segment = b.Build();
        return (new SearchSnapshot([segment]), segment.Vectors["v"], Enumerable.Range(0, QueryCount).Select(_ => Sample()).ToArray());
    }

    private static double Recall(SearchSnapshot snapshot, float[][] queries, FilterExpr? filter, AnnStrategy strategy)
    {
        double recall = 0;
        foreach (var q in queries)
        {
            var exact = snapshot.Search(new SearchQuery { RankBy = new VectorRanking("v", q, Exact: true), TopK = K, Filter = filter, Projection = Projection.IdsOnly });
            var approx = snapshot.Search(new SearchQuery { RankBy = new VectorRanking("v", q), TopK = K, Filter = filter, Ann = new AnnOptions { Strategy = strategy }, Projection = Projection.IdsOnly });
            Assert.Equal(K, exact.Hits.Count);
            if (strategy == AnnStrategy.Index)
            {
                Assert.Equal(1, approx.Stats.IndexedSegments);
            }

            recall += exact.Hits.Select(h => h.Id).Intersect(approx.Hits.Select(h => h.Id)).Count() / (double)K;
        }

        return recall / queries.Length;
    }

    [Theory]
    [InlineData(Shape.Weak, VectorMetric.Euclidean)]
    [InlineData(Shape.Uniform, VectorMetric.Euclidean)]
    [InlineData(Shape.Weak, VectorMetric.Cosine)]
    public void Calibrated_probes_give_recall_at_10_of_at_least_0_95_without_tuning(Shape shape, VectorMetric metric)
    {
        var (snapshot, column, queries) = Build(shape, metric);
        var index = (IvfSq8Index)column.Index!;
        var unfiltered = Recall(snapshot, queries, null, AnnStrategy.Index);
        var filtered = Recall(snapshot, queries, new Predicate("bucket", FilterOp.Lt, FieldValue.Int64(5)), AnnStrategy.Index);
        var auto = Recall(snapshot, queries, null, AnnStrategy.Auto);
        output.WriteLine($"{shape} {metric} {Rows} x {Dims}: {index.Lists} lists, calibrated probes {index.ProbesFor(10)} (k = 10) / {index.ProbesFor(100)} (k = 100); recall@10 unfiltered {unfiltered:F3}, 5% filter {filtered:F3}, auto {auto:F3}");
        Assert.True(index.Calibrated);
        Assert.True(unfiltered >= 0.95, $"unfiltered recall@10 {unfiltered:F3} < 0.95");
        Assert.True(filtered >= 0.95, $"5% filtered recall@10 {filtered:F3} < 0.95");
        Assert.True(auto >= 0.95, $"auto recall@10 {auto:F3} < 0.95");

        // The fixed rule of version 1 (max(8, lists / 12)) is what fell short on such data.
        Assert.True(index.ProbesFor(10) > Math.Max(8, (int)Math.Ceiling(index.Lists / 12.0)));
        Assert.True(index.ProbesFor(100) >= index.ProbesFor(10));
        Assert.InRange(index.ProbesFor(1000), index.ProbesFor(100), index.Lists);
    }

    [Fact]
    public void Calibration_is_deterministic_and_survives_the_serialised_form_and_version_1_still_loads()
    {
        var (_, column, queries) = Build(Shape.Weak, VectorMetric.Euclidean);
        var index = (IvfSq8Index)column.Index!;
        var again = IvfSq8Index.Train(column);
        Assert.Equal(index.ProbesFor(10), again.ProbesFor(10));
        Assert.Equal(index.ProbesFor(100), again.ProbesFor(100));

        var buffer = new ArrayBufferWriter<byte>();
        index.WriteTo(buffer);
        var loaded = IvfSq8Index.Load(buffer.WrittenMemory, Dims, VectorMetric.Euclidean, column.RowCount);
        Assert.True(loaded.Calibrated);
        Assert.Equal(index.ProbesFor(10), loaded.ProbesFor(10));
        Assert.Equal(index.ProbesFor(100), loaded.ProbesFor(100));
        var a = new Neighbor[K];
        var b = new Neighbor[K];
        index.Search(column, queries[0], null, column.RowCount, AnnOptions.Default, a);
        loaded.Search(column, queries[0], null, column.RowCount, AnnOptions.Default, b);
        Assert.Equal(a, b);

        // Version 1 wrote zeros where version 2 keeps the probes: it loads and probes by the fixed rule.
        var v1 = buffer.WrittenSpan.ToArray();
        v1.AsSpan(16, 8).Clear();
        var old = IvfSq8Index.Load(v1, Dims, VectorMetric.Euclidean, column.RowCount, version: 1);
        Assert.False(old.Calibrated);
        Assert.Equal(Math.Max(8, (int)Math.Ceiling(old.Lists / 12.0)), old.DefaultProbes);
        Assert.Equal(old.DefaultProbes, old.ProbesFor(500));

        // Probe counts must fit the lists; unknown versions are refused.
        var bad = buffer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(20), (uint)index.Lists + 1);
        Assert.Throws<FormatException>(() => IvfSq8Index.Load(bad, Dims, VectorMetric.Euclidean, column.RowCount));
        Assert.Throws<FormatException>(() => IvfSq8Index.Load(buffer.WrittenMemory, Dims, VectorMetric.Euclidean, column.RowCount, version: 3));
    }
}
