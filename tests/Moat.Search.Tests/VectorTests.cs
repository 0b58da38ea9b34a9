using Moat.Search.Vectors;
using static Moat.Search.Tests.Docs;

namespace Moat.Search.Tests;

/// <summary>Each metric against a brute-force reference written from the definitions; exact and index paths; f16.</summary>
public class VectorTests
{
    private const int Dims = 16;

    private static float[][] Vectors(int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        return Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, Dims).Select(_ => (float)rng.NextGaussian()).ToArray()).ToArray();
    }

    private static double Reference(VectorMetric metric, float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0, sq = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
            sq += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        }

        return metric switch
        {
            VectorMetric.Cosine => 1 - (dot / Math.Sqrt(na * nb)),
            VectorMetric.Euclidean => sq,
            _ => -dot,
        };
    }

    private static SearchSnapshot Build(VectorMetric metric, float[][] data, VectorElementKind kind = VectorElementKind.F32, bool index = false)
    {
        var b = new SearchSegmentBuilder(DocIdKind.U64).Vector("v", Dims, metric, kind);
        if (index)
        {
            b.VectorIndexFactory = c => IvfSq8Index.Train(c, new IvfSq8Options { Lists = 8 });
        }

        for (var i = 0; i < data.Length; i++)
        {
            b.Add(DocId.FromU64((ulong)i), Attrs(("even", FieldValue.Bool(i % 2 == 0))), new Dictionary<string, float[]> { ["v"] = data[i] });
        }

        b.Add(DocId.FromU64(100_000));
        return Snapshot(b.Build());
    }

    [Theory]
    [InlineData(VectorMetric.Cosine)]
    [InlineData(VectorMetric.Euclidean)]
    [InlineData(VectorMetric.Dot)]
    public void Exact_search_matches_brute_force(VectorMetric metric)
    {
        var data = Vectors(500, 7);
        var query = Vectors(1, 99)[0];
        var snap = Build(metric, data);
        var r = snap.Search(new SearchQuery { RankBy = new VectorRanking("v", query, Exact: true), TopK = 20 });
        var expected = data.Select((v, i) => (Id: (ulong)i, D: Reference(metric, query, v))).OrderBy(x => x.D).Take(20).ToArray();
        Assert.Equal(expected.Select(e => e.Id), Ids(r));
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(expected[i].D, r.Hits[i].Score, Math.Abs(expected[i].D * 1e-5) + 1e-5);
        }

        Assert.Equal(500, r.Stats.ExhaustiveCount);
    }

    [Theory]
    [InlineData(VectorMetric.Cosine)]
    [InlineData(VectorMetric.Euclidean)]
    [InlineData(VectorMetric.Dot)]
    public void Index_path_returns_exact_distances_and_probing_every_list_is_exact(VectorMetric metric)
    {
        var data = Vectors(500, 11);
        var query = Vectors(1, 5)[0];
        var snap = Build(metric, data, index: true);
        var all = new AnnOptions { Strategy = AnnStrategy.Index, Probes = 8, RerankFactor = 50 };
        var r = snap.Search(new SearchQuery { RankBy = new VectorRanking("v", query), TopK = 10, Ann = all });
        var expected = data.Select((v, i) => (Id: (ulong)i, D: Reference(metric, query, v))).OrderBy(x => x.D).Take(10).ToArray();
        Assert.Equal(1, r.Stats.IndexedSegments);
        Assert.Equal(expected.Select(e => e.Id), Ids(r));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(expected[i].D, r.Hits[i].Score, Math.Abs(expected[i].D * 1e-5) + 1e-5);
        }

        // Filtered: only even rows, through the index.
        var f = snap.Search(new SearchQuery { RankBy = new VectorRanking("v", query), TopK = 10, Ann = all, Filter = P("even", FilterOp.Eq, FieldValue.Bool(true)) });
        Assert.Equal(data.Select((v, i) => (Id: (ulong)i, D: Reference(metric, query, v))).Where(x => x.Id % 2 == 0).OrderBy(x => x.D).Take(10).Select(x => x.Id), Ids(f));
    }

    [Fact]
    public void F16_columns_search_their_converted_values()
    {
        var data = Vectors(200, 3);
        var query = Vectors(1, 4)[0];
        var r = Build(VectorMetric.Euclidean, data, VectorElementKind.F16).Search(new SearchQuery { RankBy = new VectorRanking("v", query), TopK = 5 });
        var expected = data.Select((v, i) => (Id: (ulong)i, D: Reference(VectorMetric.Euclidean, query, v.Select(x => (float)(Half)x).ToArray()))).OrderBy(x => x.D).Take(5);
        Assert.Equal(expected.Select(e => e.Id), Ids(r));
    }

    [Fact]
    public void Zero_vectors_have_cosine_distance_one()
    {
        var b = new SearchSegmentBuilder(DocIdKind.U64).Vector("v", 2, VectorMetric.Cosine);
        b.Add(DocId.FromU64(1), vecs: new Dictionary<string, float[]> { ["v"] = [0, 0] });
        b.Add(DocId.FromU64(2), vecs: new Dictionary<string, float[]> { ["v"] = [1, 0] });
        var r = Snapshot(b.Build()).Search(new SearchQuery { RankBy = new VectorRanking("v", [1, 1]) });
        Assert.Equal([2UL, 1UL], Ids(r));
        Assert.Equal(1 - Math.Sqrt(0.5), r.Hits[0].Score, 5);
        Assert.Equal(1.0, r.Hits[1].Score, 6);
    }

    [Fact]
    public void Invalid_vector_queries_name_the_field()
    {
        var snap = Build(VectorMetric.Dot, Vectors(10, 1));
        var e = Assert.Throws<SearchQueryException>(() => snap.Search(new SearchQuery { RankBy = new VectorRanking("v", [1, 2]) }));
        Assert.Equal(("rank_by.vector.vector", "DIMENSION_MISMATCH"), (e.Field, e.Reason));
        Assert.Equal("rank_by.vector.column", Assert.Throws<SearchQueryException>(() => snap.Search(new SearchQuery { RankBy = new VectorRanking("w", [1]) })).Field);
        var nan = new float[Dims];
        nan[3] = float.NaN;
        Assert.Equal("rank_by.vector.vector", Assert.Throws<SearchQueryException>(() => snap.Search(new SearchQuery { RankBy = new VectorRanking("v", nan) })).Field);
    }

    [Fact]
    public void Index_round_trips_through_its_serialised_form()
    {
        var data = Vectors(400, 21);
        var b = new SearchSegmentBuilder(DocIdKind.U64).Vector("v", Dims, VectorMetric.Euclidean);
        for (var i = 0; i < data.Length; i++)
        {
            b.Add(DocId.FromU64((ulong)i), vecs: new Dictionary<string, float[]> { ["v"] = data[i] });
        }

        var column = b.Build().Vectors["v"];
        var index = IvfSq8Index.Train(column, new IvfSq8Options { Lists = 6 });
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        index.WriteTo(buffer);
        Assert.InRange(buffer.WrittenCount, index.MemoryBytes + 24, index.MemoryBytes + 24 + (7 * 7));
        var loaded = IvfSq8Index.Load(buffer.WrittenMemory, Dims, VectorMetric.Euclidean, column.RowCount);
        var q = Vectors(1, 8)[0];
        var a = new Neighbor[10];
        var c = new Neighbor[10];
        Assert.Equal(10, index.Search(column, q, null, column.RowCount, AnnOptions.Default, a));
        Assert.Equal(10, loaded.Search(column, q, null, column.RowCount, AnnOptions.Default, c));
        Assert.Equal(a, c);
        Assert.Throws<FormatException>(() => IvfSq8Index.Load(buffer.WrittenMemory, Dims + 1, VectorMetric.Euclidean, column.RowCount));
        Assert.Throws<FormatException>(() => IvfSq8Index.Load(buffer.WrittenMemory[..100], Dims, VectorMetric.Euclidean, column.RowCount));
        Assert.Throws<FormatException>(() => IvfSq8Index.Load(buffer.WrittenMemory, Dims, VectorMetric.Euclidean, 10));
    }
}
