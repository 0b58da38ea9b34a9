using static Moat.Search.Tests.Docs;

namespace Moat.Search.Tests;

/// <summary>Attribute order with missing values and ties, id order, and Count / Sum with group_by.</summary>
public class OrderAndAggregateTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Order_ascending_and_descending_puts_missing_last_and_breaks_ties_by_id(bool filterable)
    {
        var snap = Snapshot(FilterTests.Build(filterable));

        // n: 1:5, 2:-3, 3:10, 4:-, 5:5, 6:0, 7:100, 8:-
        Assert.Equal([2UL, 6, 1, 5, 3, 7, 4, 8], Ids(snap.Search(new SearchQuery { RankBy = new OrderRanking("n"), TopK = 100 })));
        Assert.Equal([7UL, 3, 1, 5, 6, 2, 4, 8], Ids(snap.Search(new SearchQuery { RankBy = new OrderRanking("n", Descending: true), TopK = 100 })));
        Assert.Equal([2UL, 6, 1], Ids(snap.Search(new SearchQuery { RankBy = new OrderRanking("n"), TopK = 3 })));
        Assert.Equal([7UL, 3], Ids(snap.Search(new SearchQuery { RankBy = new OrderRanking("n", true), TopK = 2, Filter = P("n", FilterOp.Gt, FieldValue.Int64(5)) })));
        Assert.Equal([8UL, 7, 6], Ids(snap.Search(new SearchQuery { RankBy = new OrderRanking("id", true), TopK = 3 })));
        Assert.Equal([1UL, 2, 3], Ids(snap.Search(new SearchQuery { TopK = 3 })));
    }

    [Fact]
    public void Order_merges_segments_on_values()
    {
        var a = new SearchSegmentBuilder(DocIdKind.U64, "a");
        var b = new SearchSegmentBuilder(DocIdKind.U64, "b");
        a.Add(DocId.FromU64(1), Attrs(("s", FieldValue.String("pear")))).Add(DocId.FromU64(2), Attrs(("s", FieldValue.String("apple")))).Add(DocId.FromU64(5));
        b.Add(DocId.FromU64(3), Attrs(("s", FieldValue.String("apple")))).Add(DocId.FromU64(4), Attrs(("s", FieldValue.String("fig")))).Add(DocId.FromU64(0));
        var snap = Snapshot(a.Build(), b.Build());
        Assert.Equal([2UL, 3, 4, 1, 0, 5], Ids(snap.Search(new SearchQuery { RankBy = new OrderRanking("s") })));
        Assert.Equal([1UL, 4, 2, 3, 0, 5], Ids(snap.Search(new SearchQuery { RankBy = new OrderRanking("s", true) })));
        Assert.Equal([0UL, 1, 2, 3, 4, 5], Ids(snap.Search(new SearchQuery())));
    }

    [Fact]
    public void Order_by_a_list_is_rejected()
    {
        var snap = Snapshot(FilterTests.Build(true));
        Assert.Equal("rank_by.order_by.attribute", Assert.Throws<SearchQueryException>(() => snap.Search(new SearchQuery { RankBy = new OrderRanking("tags") })).Field);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Count_and_sum_without_groups(bool filterable)
    {
        var snap = Snapshot(FilterTests.Build(filterable));
        var r = snap.Search(new SearchQuery
        {
            Aggregates = [AggregateSpec.Count("c"), AggregateSpec.Sum("sn", "n"), AggregateSpec.Sum("sp", "price")],
            Filter = P("id", FilterOp.Lte, FieldValue.Int64(3)),
        });
        Assert.Empty(r.Hits);
        Assert.Equal(ScalarValue.UInt64(3), r.Aggregates["c"]);
        Assert.Equal(ScalarValue.Int64(12), r.Aggregates["sn"]);
        Assert.Equal(ScalarValue.Double(4.0), r.Aggregates["sp"]);
        Assert.Equal("aggregates[0].sum.attribute", Assert.Throws<SearchQueryException>(() => snap.Search(new SearchQuery { Aggregates = [AggregateSpec.Sum("su", "u")] })).Field);
        Assert.Equal(ScalarValue.UInt64(5), snap.Search(new SearchQuery { Aggregates = [AggregateSpec.Sum("su", "u")], Filter = P("id", FilterOp.NotEq, FieldValue.Int64(2)) }).Aggregates["su"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Count_and_sum_grouped_in_key_order_with_missing_last(bool filterable)
    {
        var snap = Snapshot(FilterTests.Build(filterable));
        var r = snap.Search(new SearchQuery { Aggregates = [AggregateSpec.Count("c"), AggregateSpec.Sum("s", "n")], GroupBy = ["flag"] });

        // flag false {2, 6}: n −3 + 0; true {1, 3}: 5 + 10; missing {4, 5, 7, 8}: 5 + 100.
        Assert.Equal(3, r.Groups.Count);
        Assert.Equal(FieldValue.Bool(false), r.Groups[0].Key["flag"]);
        Assert.Equal(ScalarValue.UInt64(2), r.Groups[0].Values["c"]);
        Assert.Equal(ScalarValue.Int64(-3), r.Groups[0].Values["s"]);
        Assert.Equal(FieldValue.Bool(true), r.Groups[1].Key["flag"]);
        Assert.Equal(ScalarValue.Int64(15), r.Groups[1].Values["s"]);
        Assert.Null(r.Groups[2].Key["flag"]);
        Assert.Equal(ScalarValue.UInt64(4), r.Groups[2].Values["c"]);
        Assert.Equal(ScalarValue.Int64(105), r.Groups[2].Values["s"]);

        var two = snap.Search(new SearchQuery { Aggregates = [AggregateSpec.Count("c")], GroupBy = ["flag", "name"], TopK = 2 });
        Assert.Equal(2, two.Groups.Count);
        Assert.Equal(FieldValue.String("apple pie"), two.Groups[0].Key["name"]);
        Assert.Equal(FieldValue.String("banana"), two.Groups[1].Key["name"]);
    }

    [Fact]
    public void Groups_merge_across_segments_by_value()
    {
        var a = new SearchSegmentBuilder(DocIdKind.U64, "a");
        var b = new SearchSegmentBuilder(DocIdKind.U64, "b");
        a.Add(DocId.FromU64(1), Attrs(("c", FieldValue.String("x")), ("v", FieldValue.Double(1.5))));
        a.Add(DocId.FromU64(2), Attrs(("c", FieldValue.String("y")), ("v", FieldValue.Double(2))));
        b.Add(DocId.FromU64(3), Attrs(("c", FieldValue.String("x")), ("v", FieldValue.Double(4))));
        b.Add(DocId.FromU64(2), Attrs(("c", FieldValue.String("x")), ("v", FieldValue.Double(8))));
        var r = Snapshot(a.Build(), b.Build()).Search(new SearchQuery { Aggregates = [AggregateSpec.Count("n"), AggregateSpec.Sum("s", "v")], GroupBy = ["c"] });
        var x = Assert.Single(r.Groups);
        Assert.Equal(ScalarValue.UInt64(3), x.Values["n"]);
        Assert.Equal(ScalarValue.Double(13.5), x.Values["s"]);
    }

    [Fact]
    public void Invalid_aggregates_name_the_field()
    {
        var snap = Snapshot(FilterTests.Build(true));
        Assert.Equal("aggregates[0].sum.attribute", Assert.Throws<SearchQueryException>(() => snap.Search(new SearchQuery { Aggregates = [AggregateSpec.Sum("s", "name")] })).Field);
        Assert.Equal("aggregates[1].name", Assert.Throws<SearchQueryException>(() => snap.Search(new SearchQuery { Aggregates = [AggregateSpec.Count("c"), AggregateSpec.Count("c")] })).Field);
        Assert.Equal("group_by[0]", Assert.Throws<SearchQueryException>(() => snap.Search(new SearchQuery { Aggregates = [AggregateSpec.Count("c")], GroupBy = ["tags"] })).Field);
        Assert.Equal("rank_by", Assert.Throws<SearchQueryException>(() => snap.Search(new SearchQuery { Aggregates = [AggregateSpec.Count("c")], RankBy = new OrderRanking("n") })).Field);
        Assert.Equal("top_k", Assert.Throws<SearchQueryException>(() => snap.Search(new SearchQuery { TopK = 10_001 })).Field);
        Assert.Equal("top_k", Assert.Throws<SearchQueryException>(() => snap.Search(new SearchQuery { TopK = 0 })).Field);
    }
}
