using Moat.Search.Text;
using static Moat.Search.Tests.Docs;

namespace Moat.Search.Tests;

/// <summary>BM25 scores against values computed by hand from the formula, and the Sum / Max / Product trees.</summary>
public class Bm25Tests
{
    private static readonly FieldType Text = new(ValueKind.String, false);

    // d1 "cat dog" (2 tokens), d2 "cat cat mouse" (3), d3 "dog" (1), d4 no title: N = 3, avgdl = 2.
    private static SearchSegment Segment(TextFieldOptions? options = null)
    {
        var b = new SearchSegmentBuilder(DocIdKind.U64)
            .Attribute("title", Text, fullText: options ?? TextFieldOptions.Default)
            .Attribute("body", Text, fullText: TextFieldOptions.Default);
        b.Add(DocId.FromU64(1), Attrs(("title", FieldValue.String("Cat dog")), ("body", FieldValue.String("mouse"))));
        b.Add(DocId.FromU64(2), Attrs(("title", FieldValue.String("cat cat mouse")), ("body", FieldValue.String("dog dog"))));
        b.Add(DocId.FromU64(3), Attrs(("title", FieldValue.String("dog"))));
        b.Add(DocId.FromU64(4), Attrs(("body", FieldValue.String("cat"))));
        return b.Build();
    }

    private static double Idf(double n, double df) => Math.Log(1 + ((n - df + 0.5) / (df + 0.5)));

    private static double Tf(double tf, double dl, double avg, double k1 = 1.2, double b = 0.75) => tf * (k1 + 1) / (tf + (k1 * (1 - b + (b * dl / avg))));

    private static SearchResult Rank(SearchSnapshot snap, TextRankExpr expr) => snap.Search(new SearchQuery { RankBy = new TextRanking(expr) });

    [Fact]
    public void Single_field_scores_equal_the_formula()
    {
        var r = Rank(Snapshot(Segment()), new Bm25Expr("title", "cat"));

        // idf(cat) = ln(1 + (3 − 2 + 0.5) / (2 + 0.5)) = ln 1.6; d1: tf 1, dl 2 → factor 1; d2: tf 2, dl 3 → 4.4 / 3.65.
        Assert.Equal([2UL, 1UL], Ids(r));
        Assert.Equal(Math.Log(1.6) * 4.4 / 3.65, r.Hits[0].Score, 12);
        Assert.Equal(Math.Log(1.6), r.Hits[1].Score, 12);
        Assert.Equal(Idf(3, 2) * Tf(2, 3, 2), r.Hits[0].Score, 12);
    }

    [Fact]
    public void Multi_token_queries_sum_distinct_tokens_and_zero_scores_are_left_out()
    {
        var r = Rank(Snapshot(Segment()), new Bm25Expr("title", "dog DOG zebra"));

        // dog appears in d1 (dl 2) and d3 (dl 1); "DOG" is the same token; zebra is in no document.
        var d3 = Idf(3, 2) * Tf(1, 1, 2);
        var d1 = Idf(3, 2) * Tf(1, 2, 2);
        Assert.Equal([3UL, 1UL], Ids(r));
        Assert.Equal(d3, r.Hits[0].Score, 12);
        Assert.Equal(d1, r.Hits[1].Score, 12);
        Assert.Empty(Rank(Snapshot(Segment()), new Bm25Expr("title", "zebra")).Hits);
    }

    [Fact]
    public void K1_and_b_come_from_the_field_options()
    {
        var r = Rank(Snapshot(Segment(new TextFieldOptions { K1 = 2.0, B = 0.0 })), new Bm25Expr("title", "cat"));

        // b = 0: no length normalisation; tf 2 → 2·3 / (2 + 2) = 1.5; tf 1 → 1.
        Assert.Equal(Idf(3, 2) * 1.5, r.Hits[0].Score, 12);
        Assert.Equal(Idf(3, 2) * 1.0, r.Hits[1].Score, 12);
    }

    [Fact]
    public void Sum_max_and_product_combine_fields()
    {
        var snap = Snapshot(Segment());
        var titleCat = new Bm25Expr("title", "cat");
        var bodyDog = new Bm25Expr("body", "dog");

        // body: d1 "mouse" (1), d2 "dog dog" (2), d4 "cat" (1): N = 3, avgdl = 4/3; dog df 1.
        var t1 = Idf(3, 2) * Tf(1, 2, 2);
        var t2 = Idf(3, 2) * Tf(2, 3, 2);
        var b2 = Idf(3, 1) * Tf(2, 2, 4.0 / 3);

        var sum = Rank(snap, new SumExpr([titleCat, bodyDog]));
        Assert.Equal([2UL, 1UL], Ids(sum));
        Assert.Equal(t2 + b2, sum.Hits[0].Score, 12);
        Assert.Equal(t1, sum.Hits[1].Score, 12);

        var max = Rank(snap, new MaxExpr([titleCat, bodyDog]));
        Assert.Equal(Math.Max(t2, b2), max.Hits[0].Score, 12);

        var weighted = Rank(snap, new SumExpr([new WeightedExpr(3, titleCat), bodyDog]));
        Assert.Equal((3 * t2) + b2, weighted.Hits[0].Score, 12);
        Assert.Equal(3 * t1, weighted.Hits[1].Score, 12);
    }

    [Fact]
    public void Statistics_count_live_rows_only_and_filters_apply()
    {
        var newer = new SearchSegmentBuilder(DocIdKind.U64).Delete(DocId.FromU64(3)).Build();
        var r = Rank(new SearchSnapshot([Segment()], newer), new Bm25Expr("title", "cat"));

        // d3 deleted: N = 2, avgdl = 5 / 2; cat df 2.
        Assert.Equal(Idf(2, 2) * Tf(2, 3, 2.5), r.Hits[0].Score, 12);

        var filtered = Segment();
        var f = Docs.Snapshot(filtered).Search(new SearchQuery
        {
            RankBy = new TextRanking(new Bm25Expr("title", "cat")),
            Filter = P("id", FilterOp.Eq, FieldValue.UInt64(1)),
        });
        Assert.Equal([1UL], Ids(f));
        Assert.Equal(Math.Log(1.6), f.Hits[0].Score, 12);
    }

    [Fact]
    public void Stemming_applies_to_documents_and_queries_alike()
    {
        var options = new TextFieldOptions { Stemming = true, RemoveStopwords = true };
        var b = new SearchSegmentBuilder(DocIdKind.U64).Attribute("t", Text, fullText: options);
        b.Add(DocId.FromU64(1), Attrs(("t", FieldValue.String("The runners were running"))));
        b.Add(DocId.FromU64(2), Attrs(("t", FieldValue.String("a quiet walk"))));
        var r = Rank(Snapshot(b.Build()), new Bm25Expr("t", "RUN"));
        Assert.Equal([1UL], Ids(r));
    }

    [Fact]
    public void Invalid_text_ranks_name_the_field()
    {
        var snap = Snapshot(Segment());
        Assert.Equal("rank_by.text.bm25.attribute", Assert.Throws<SearchQueryException>(() => Rank(snap, new Bm25Expr("nope", "x"))).Field);
        Assert.Equal("rank_by.text.sum.terms[1].product.weight", Assert.Throws<SearchQueryException>(() => Rank(snap, new SumExpr([new Bm25Expr("title", "x"), new WeightedExpr(0, new Bm25Expr("title", "x"))]))).Field);
        Assert.Equal("rank_by.text.max.terms", Assert.Throws<SearchQueryException>(() => Rank(snap, new MaxExpr([]))).Field);
    }
}
