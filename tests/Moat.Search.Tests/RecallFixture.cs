using System.Diagnostics;
using Moat.Search.Vectors;

namespace Moat.Search.Tests;

/// <summary>
/// A seeded clustered data set built once per test run: 100 gaussian clusters in 128 dimensions,
/// 20k vectors (100k with MOAT_FULL=1), with an IVF-SQ8 index, plus held-out queries drawn from
/// the same clusters. "bucket" = row mod 1000 is uncorrelated with the clusters, for filters.
/// </summary>
public sealed class RecallFixture
{
    public const int Dims = 128;
    public const int Clusters = 100;
    public const int QueryCount = 100;

    /// <summary>Standard deviation of the cluster centres (points scatter around them with 1): clusters overlap.</summary>
    public static readonly double Spread = double.TryParse(Environment.GetEnvironmentVariable("MOAT_RECALL_SPREAD"), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 1.0;

    public RecallFixture()
    {
        Rows = Environment.GetEnvironmentVariable("MOAT_FULL") == "1" ? 100_000 : 20_000;
        var rng = new SeededRandom(20240611);
        var centers = new float[Clusters][];
        for (var c = 0; c < Clusters; c++)
        {
            centers[c] = Enumerable.Range(0, Dims).Select(_ => (float)(rng.NextGaussian() * Spread)).ToArray();
        }

        float[] Sample()
        {
            var center = centers[rng.Next(Clusters)];
            var v = new float[Dims];
            for (var i = 0; i < Dims; i++)
            {
                v[i] = center[i] + (float)rng.NextGaussian();
            }

            return v;
        }

        var builder = new SearchSegmentBuilder(DocIdKind.U64, "recall").Vector("v", Dims, VectorMetric.Euclidean);
        var sw = Stopwatch.StartNew();
        builder.VectorIndexFactory = c =>
        {
            var t = Stopwatch.StartNew();
            var index = IvfSq8Index.Train(c);
            TrainTime = t.Elapsed;
            return index;
        };
        for (var i = 0; i < Rows; i++)
        {
            builder.Add(
                DocId.FromU64((ulong)i),
                new Dictionary<string, FieldValue?> { ["bucket"] = FieldValue.Int64(i % 1000) },
                new Dictionary<string, float[]> { ["v"] = Sample() });
        }

        Segment = builder.Build();
        BuildTime = sw.Elapsed;
        Snapshot = new SearchSnapshot([Segment]);
        Queries = Enumerable.Range(0, QueryCount).Select(_ => Sample()).ToArray();

        // The builder's garbage would otherwise be collected inside the first timed test.
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    public int Rows { get; }

    public SearchSegment Segment { get; }

    public SearchSnapshot Snapshot { get; }

    public float[][] Queries { get; }

    public TimeSpan BuildTime { get; }

    public TimeSpan TrainTime { get; private set; }

    public IvfSq8Index Index => (IvfSq8Index)Segment.Vectors["v"].Index!;
}

[CollectionDefinition(Name)]
public sealed class RecallCollection : ICollectionFixture<RecallFixture>
{
    public const string Name = "recall";
}
