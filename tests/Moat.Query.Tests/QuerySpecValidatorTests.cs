using Moat.Hosting.Errors;
using Moat.Query.Validation;
using Moat.V1;

namespace Moat.Query.Tests;

public sealed class QuerySpecValidatorTests
{
    private static NamespaceConfig Schema()
    {
        var config = new NamespaceConfig { IdKind = IdKind.U64 };
        config.Vectors["emb"] = new VectorColumn { Dimensions = 4, Metric = DistanceMetric.Cosine };
        config.Attributes["title"] = new AttributeSchema { Type = AttributeType.String, FullText = new FullTextOptions() };
        config.Attributes["n"] = new AttributeSchema { Type = AttributeType.Int64 };
        config.Attributes["tags"] = new AttributeSchema { Type = AttributeType.StringList };
        config.Attributes["blob"] = new AttributeSchema { Type = AttributeType.String, Filterable = false };
        return config;
    }

    private static MoatValidationException Fails(QuerySpec spec)
    {
        var violations = new Violations();
        QuerySpecValidator.Validate(spec, Schema(), "query", violations);
        return Assert.Throws<MoatValidationException>(violations.ThrowIfAny);
    }

    private static void Passes(QuerySpec spec)
    {
        var violations = new Violations();
        QuerySpecValidator.Validate(spec, Schema(), "query", violations);
        violations.ThrowIfAny();
    }

    private static Filter Pred(string attribute, FilterOperator op, AttributeValue? value = null) =>
        new() { Predicate = new Moat.V1.Predicate { Attribute = attribute, Op = op, Value = value } };

    private static Vector Vec(int n)
    {
        var v = new Vector();
        v.Values.AddRange(Enumerable.Repeat(0.5f, n));
        return v;
    }

    [Fact]
    public void A_wrong_vector_length_is_dimension_mismatch_at_the_vector_field()
    {
        var e = Fails(new QuerySpec { RankBy = new RankBy { Vector = new VectorRank { Column = "emb", Vector = Vec(3) } } });
        Assert.Equal(ErrorReason.DimensionMismatch, e.Reason);
        Assert.Equal("query.rank_by.vector.vector", Assert.Single(e.Violations).Field);
        Passes(new QuerySpec { RankBy = new RankBy { Vector = new VectorRank { Column = "emb", Vector = Vec(4) } } });
    }

    [Fact]
    public void Top_k_above_the_limit_and_unknown_columns_are_all_reported_together()
    {
        var e = Fails(new QuerySpec
        {
            TopK = 10_001,
            RankBy = new RankBy { Vector = new VectorRank { Column = "nope", Vector = Vec(4) } },
            Projection = new Moat.V1.Projection { IncludeAttributes = { "missing" } },
        });
        Assert.Equal(ErrorReason.InvalidArgument, e.Reason);
        Assert.Equal(["query.top_k", "query.rank_by.vector.column", "query.projection.include_attributes[0]"], e.Violations.Select(v => v.Field));
    }

    [Theory]
    [InlineData("n", FilterOperator.Eq, "string")]
    [InlineData("n", FilterOperator.Lt, "string")]
    [InlineData("title", FilterOperator.Contains, "string")]
    [InlineData("tags", FilterOperator.Lt, "string")]
    [InlineData("n", FilterOperator.Glob, "string")]
    [InlineData("n", FilterOperator.In, "int")]
    public void An_operand_that_does_not_fit_the_attribute_is_a_type_mismatch_at_the_value(string attribute, FilterOperator op, string kind)
    {
        var value = kind == "string" ? new AttributeValue { StringValue = "x" } : new AttributeValue { IntValue = 1 };
        var e = Fails(new QuerySpec { Filter = new Filter { AndFilter = new FilterList { Filters = { Pred("n", FilterOperator.Gte, new AttributeValue { IntValue = 0 }), Pred(attribute, op, value) } } } });
        Assert.Equal(ErrorReason.AttributeTypeMismatch, e.Reason);
        Assert.Equal("query.filter.and_filter.filters[1].predicate.value", Assert.Single(e.Violations).Field);
    }

    [Fact]
    public void Operands_that_fit_pass_including_null_lists_ids_and_tokens()
    {
        Passes(new QuerySpec
        {
            Filter = new Filter
            {
                OrFilter = new FilterList
                {
                    Filters =
                    {
                        Pred("n", FilterOperator.Eq),
                        Pred("n", FilterOperator.In, new AttributeValue { IntList = new Int64List { Values = { 1, 2 } } }),
                        Pred("n", FilterOperator.Lt, new AttributeValue { DoubleValue = 2.5 }),
                        Pred("tags", FilterOperator.ContainsAny, new AttributeValue { StringList = new StringList { Values = { "a" } } }),
                        Pred("tags", FilterOperator.Contains, new AttributeValue { StringValue = "a" }),
                        Pred("id", FilterOperator.Gt, new AttributeValue { UintValue = 5 }),
                        Pred("title", FilterOperator.ContainsAllTokens, new AttributeValue { StringValue = "quick fox" }),
                        new Filter { NotFilter = Pred("title", FilterOperator.Iglob, new AttributeValue { StringValue = "a*" }) },
                    },
                },
            },
        });
    }

    [Fact]
    public void Filtering_on_a_non_filterable_attribute_and_bm25_without_full_text_are_refused()
    {
        Assert.Equal(ErrorReason.AttributeNotFilterable, Fails(new QuerySpec { Filter = Pred("blob", FilterOperator.Eq, new AttributeValue { StringValue = "x" }) }).Reason);
        var bm25 = Fails(new QuerySpec { RankBy = new RankBy { Text = new TextRank { Bm25 = new Bm25Term { Attribute = "blob", Query = "x" } } } });
        Assert.Equal(ErrorReason.AttributeNotFullText, bm25.Reason);
        Assert.Equal("query.rank_by.text.bm25.attribute", Assert.Single(bm25.Violations).Field);
    }

    [Fact]
    public void Aggregates_need_unique_names_numeric_sums_and_no_rank()
    {
        var e = Fails(new QuerySpec
        {
            RankBy = new RankBy { OrderBy = new AttributeOrder { Attribute = "n" } },
            Aggregates =
            {
                new Aggregate { Name = "a", Count = new CountAggregate() },
                new Aggregate { Name = "a", Sum = new SumAggregate { Attribute = "title" } },
            },
        });
        Assert.Equal(["query.rank_by", "query.aggregates[1].name", "query.aggregates[1].sum.attribute"], e.Violations.Select(v => v.Field));
    }

    [Fact]
    public void Incoming_values_belong_to_write_conditions_only()
    {
        var filter = new Filter { Predicate = new Moat.V1.Predicate { Attribute = "n", Op = FilterOperator.Lt, Incoming = new IncomingValue { Attribute = "n" } } };
        Assert.Equal("query.filter.predicate.incoming", Assert.Single(Fails(new QuerySpec { Filter = filter }).Violations).Field);
    }
}
