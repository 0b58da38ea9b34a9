using Moat.Search;
using Moat.V1;
using EnginePredicate = Moat.Search.Predicate;
using EngineProjection = Moat.Search.Projection;

namespace Moat.Query.Mapping;

/// <summary>
/// Turns a validated <see cref="QuerySpec"/> into the engine's <see cref="SearchQuery"/>, and engine
/// results into <see cref="QueryResult"/>. Run only after <c>QuerySpecValidator</c>: it assumes
/// known attributes and fitting operands.
/// </summary>
internal static class QueryMapper
{
    public static SearchQuery ToEngine(QuerySpec spec, NamespaceConfig schema)
    {
        return new SearchQuery
        {
            RankBy = spec.RankBy is { } rank ? ToEngine(rank) : null,
            Filter = spec.Filter is { } filter ? ToEngine(filter, schema) : null,
            TopK = spec.TopK == 0 ? 10 : (int)spec.TopK,
            Projection = spec.Projection is { } p ? ToEngine(p) : EngineProjection.Default,
            Aggregates = spec.Aggregates.Select(a => a.FunctionCase == Aggregate.FunctionOneofCase.Sum
                ? AggregateSpec.Sum(a.Name, a.Sum.Attribute)
                : AggregateSpec.Count(a.Name)).ToList(),
            GroupBy = spec.GroupBy.ToList(),
        };
    }

    public static FilterExpr? ToEngine(Filter filter, NamespaceConfig schema) => filter.NodeCase switch
    {
        Filter.NodeOneofCase.None => null,
        Filter.NodeOneofCase.AndFilter => new AndFilter(filter.AndFilter.Filters.Select(f => ToEngine(f, schema) ?? new AndFilter([])).ToList()),
        Filter.NodeOneofCase.OrFilter => new OrFilter(filter.OrFilter.Filters.Select(f => ToEngine(f, schema) ?? new AndFilter([])).ToList()),
        Filter.NodeOneofCase.NotFilter => new NotFilter(ToEngine(filter.NotFilter, schema) ?? new AndFilter([])),
        Filter.NodeOneofCase.Predicate => ToEngine(filter.Predicate, schema),
        _ => null,
    };

    private static EnginePredicate ToEngine(Moat.V1.Predicate predicate, NamespaceConfig schema)
    {
        var type = predicate.Attribute == "id"
            ? schema.IdKind == IdKind.Uuid ? AttributeType.Uuid : AttributeType.Unspecified
            : schema.Attributes.TryGetValue(predicate.Attribute, out var attr) ? attr.Type : AttributeType.Unspecified;
        return new EnginePredicate(predicate.Attribute, (FilterOp)(int)predicate.Op, ValueMapper.ToEngine(predicate.Value, type));
    }

    private static Ranking? ToEngine(RankBy rank) => rank.RankCase switch
    {
        RankBy.RankOneofCase.Vector => new VectorRanking(rank.Vector.Column, VectorValues(rank.Vector.Vector), rank.Vector.Mode == VectorSearchMode.Exact),
        RankBy.RankOneofCase.Text => new TextRanking(ToEngine(rank.Text)),
        RankBy.RankOneofCase.OrderBy => new OrderRanking(rank.OrderBy.Attribute, rank.OrderBy.Direction == SortDirection.Descending),
        _ => null,
    };

    private static TextRankExpr ToEngine(TextRank rank) => rank.ExprCase switch
    {
        TextRank.ExprOneofCase.Bm25 => new Bm25Expr(rank.Bm25.Attribute, rank.Bm25.Query),
        TextRank.ExprOneofCase.Sum => new SumExpr(rank.Sum.Terms.Select(ToEngine).ToList()),
        TextRank.ExprOneofCase.Max => new MaxExpr(rank.Max.Terms.Select(ToEngine).ToList()),
        TextRank.ExprOneofCase.Product => new WeightedExpr(rank.Product.Weight, ToEngine(rank.Product.Term)),
        _ => throw new ArgumentOutOfRangeException(nameof(rank), rank.ExprCase, "unknown text rank"),
    };

    public static EngineProjection ToEngine(Moat.V1.Projection projection) => new()
    {
        IncludeAttributes = projection.IncludeAttributes.ToList(),
        ExcludeAttributes = projection.ExcludeAttributes.ToList(),
        ExcludeAllAttributes = projection.ExcludeAllAttributes,
        IncludeVectors = projection.IncludeVectors.ToList(),
        IncludeAllVectors = projection.IncludeAllVectors,
    };

    /// <summary>A query vector as float32 (f16 input converted).</summary>
    public static float[] VectorValues(Vector vector)
    {
        if (vector.Values.Count > 0)
        {
            return vector.Values.ToArray();
        }

        var bytes = vector.F16.Span;
        var result = new float[bytes.Length / 2];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (float)BitConverter.ToHalf(bytes.Slice(i * 2, 2));
        }

        return result;
    }

    public static QueryResult ToProto(SearchResult result)
    {
        var proto = new QueryResult();
        foreach (var hit in result.Hits)
        {
            proto.Rows.Add(new Row { Document = ToDocument(hit), Score = hit.Score });
        }

        foreach (var (name, value) in result.Aggregates)
        {
            proto.Aggregates[name] = ValueMapper.ToProto(value);
        }

        foreach (var group in result.Groups)
        {
            var g = new Moat.V1.AggregateGroup();
            foreach (var (name, value) in group.Key)
            {
                g.Group[name] = ValueMapper.ToProto(value);
            }

            foreach (var (name, value) in group.Values)
            {
                g.Aggregates[name] = ValueMapper.ToProto(value);
            }

            proto.Groups.Add(g);
        }

        return proto;
    }

    public static Document ToDocument(SearchHit hit)
    {
        var document = new Document { Id = ValueMapper.ToProto(hit.Id) };
        foreach (var (name, value) in hit.Attributes)
        {
            document.Attributes[name] = ValueMapper.ToProto(value);
        }

        foreach (var (name, values) in hit.Vectors)
        {
            var vector = new Vector();
            vector.Values.AddRange(values);
            document.Vectors[name] = vector;
        }

        return document;
    }
}
