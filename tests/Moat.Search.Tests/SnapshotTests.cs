using static Moat.Search.Tests.Docs;

namespace Moat.Search.Tests;

/// <summary>Shadowing across segments (newer rows and tombstones hide older rows) and projection.</summary>
public class SnapshotTests
{
    private static Dictionary<string, float[]> V(float x, float y) => new() { ["v"] = [x, y] };

    private static SearchSnapshot Layers()
    {
        var old = new SearchSegmentBuilder(DocIdKind.String, "old").Vector("v", 2, VectorMetric.Euclidean);
        foreach (var id in new[] { "a", "b", "c", "d", "e" })
        {
            old.Add(DocId.FromString(id), Attrs(("gen", FieldValue.Int64(1)), ("t", FieldValue.String("x " + id))), V(0, 0));
        }

        var mid = new SearchSegmentBuilder(DocIdKind.String, "mid").Vector("v", 2, VectorMetric.Euclidean);
        mid.Add(DocId.FromString("b"), Attrs(("gen", FieldValue.Int64(2))), V(10, 10));
        mid.Delete(DocId.FromString("c"));

        var tail = new SearchSegmentBuilder(DocIdKind.String, "tail").Vector("v", 2, VectorMetric.Euclidean);
        tail.Delete(DocId.FromString("d"));
        tail.Add(DocId.FromString("f"), Attrs(("gen", FieldValue.Int64(3))), V(1, 1));
        tail.Add(DocId.FromString("c"), Attrs(("gen", FieldValue.Int64(3))), V(2, 2));
        return new SearchSnapshot([old.Build(), mid.Build()], tail.Build());
    }

    [Fact]
    public void Newer_upserts_and_tombstones_hide_older_rows()
    {
        var snap = Layers();
        Assert.Equal(5, snap.LiveCount);
        var all = snap.Search(new SearchQuery { TopK = 100 });
        Assert.Equal(["a", "b", "c", "e", "f"], all.Hits.Select(h => h.Id.Text));
        Assert.Equal([1L, 2, 3, 1, 3], all.Hits.Select(h => h.Attributes["gen"].Scalar.AsInt64));

        // Vector search never sees shadowed rows: b's old (0, 0) and d are gone.
        var near = snap.Search(new SearchQuery { RankBy = new VectorRanking("v", [0, 0]), TopK = 100 });
        Assert.Equal(["a", "e", "f", "c", "b"], near.Hits.Select(h => h.Id.Text));
        Assert.Equal([0.0, 0, 2, 8, 200], near.Hits.Select(h => h.Score));

        var count = snap.Search(new SearchQuery { Aggregates = [AggregateSpec.Count("n"), AggregateSpec.Sum("g", "gen")], Filter = P("gen", FilterOp.Lt, FieldValue.Int64(3)) });
        Assert.Equal(ScalarValue.UInt64(3), count.Aggregates["n"]);
        Assert.Equal(ScalarValue.Int64(4), count.Aggregates["g"]);
    }

    [Fact]
    public void Projection_selects_attributes_and_vectors()
    {
        var snap = Layers();
        SearchHit First(Projection p) => snap.Search(new SearchQuery { Projection = p, TopK = 1 }).Hits[0];

        Assert.Equal(["gen", "t"], First(Projection.Default).Attributes.Keys.Order());
        Assert.Empty(First(Projection.Default).Vectors);
        Assert.Equal(["t"], First(new Projection { IncludeAttributes = ["t", "missing"] }).Attributes.Keys);
        Assert.Equal(["gen"], First(new Projection { ExcludeAttributes = ["t"] }).Attributes.Keys);
        Assert.Empty(First(new Projection { IncludeAttributes = ["t"], ExcludeAllAttributes = true }).Attributes);
        Assert.Equal([0f, 0f], First(new Projection { IncludeVectors = ["v"] }).Vectors["v"]);
        Assert.Equal(["v"], First(new Projection { IncludeAllVectors = true }).Vectors.Keys);
        Assert.Equal(FieldValue.String("x a"), First(Projection.Default).Attributes["t"]);
    }

    [Fact]
    public void Uuid_ids_shadow_and_sort_by_bytes()
    {
        var g1 = Guid.Parse("00000000-0000-0000-0000-000000000001");
        var g2 = Guid.Parse("ffffffff-0000-0000-0000-000000000000");
        var old = new SearchSegmentBuilder(DocIdKind.Uuid).Add(DocId.FromUuid(g2)).Add(DocId.FromUuid(g1)).Build();
        var tail = new SearchSegmentBuilder(DocIdKind.Uuid).Delete(DocId.FromUuid(g1)).Build();
        Assert.Equal([g1, g2], Snapshot(old).Search(new SearchQuery()).Hits.Select(h => h.Id.Uuid));
        Assert.Equal([g2], new SearchSnapshot([old], tail).Search(new SearchQuery()).Hits.Select(h => h.Id.Uuid));
        Assert.Equal([g1], Snapshot(old).Search(new SearchQuery { Filter = P("id", FilterOp.Eq, FieldValue.String(g1.ToString())) }).Hits.Select(h => h.Id.Uuid));
    }

    [Fact]
    public void Concurrent_queries_on_one_snapshot_agree_with_sequential_ones()
    {
        var snap = Snapshot(FilterTests.Build(filterable: true));
        SearchQuery[] queries =
        [
            new() { Filter = P("n", FilterOp.Gt, FieldValue.Int64(0)) },
            new() { RankBy = new TextRanking(new Bm25Expr("body", "quick fox")) },
            new() { RankBy = new OrderRanking("name", true), Filter = P("name", FilterOp.Glob, FieldValue.String("*a*")) },
            new() { Aggregates = [AggregateSpec.Count("c")], GroupBy = ["flag"] },
        ];
        var expected = queries.Select(q => string.Join(",", snap.Search(q).Hits.Select(h => h.Id.U64 + ":" + h.Score))).ToArray();
        var actual = new string[200];
        Parallel.For(0, actual.Length, i => actual[i] = string.Join(",", snap.Search(queries[i % queries.Length]).Hits.Select(h => h.Id.U64 + ":" + h.Score)));
        for (var i = 0; i < actual.Length; i++)
        {
            Assert.Equal(expected[i % queries.Length], actual[i]);
        }
    }

    [Fact]
    public void A_cancelled_query_stops()
    {
        var snap = Layers();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => snap.Search(new SearchQuery(), cts.Token));
    }
}
