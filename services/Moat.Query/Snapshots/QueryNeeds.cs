using Moat.Search;
using Moat.V1;

namespace Moat.Query.Snapshots;

/// <summary>
/// The attributes and vector columns a query reads (filter, ranking, aggregates, projection): what a
/// segment read by ranges must bring in before the query runs. Everything else stays on the store.
/// </summary>
internal sealed class QueryNeeds
{
    private readonly HashSet<string> _attributes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _vectors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _excluded = new(StringComparer.Ordinal);
    private bool _allAttributes;
    private bool _allVectors;

    /// <summary>Every section of every segment (WarmCache).</summary>
    public static QueryNeeds Everything { get; } = new() { _allAttributes = true, _allVectors = true };

    public static QueryNeeds Of(SearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var needs = new QueryNeeds();
        needs.AddFilter(query.Filter);
        switch (query.RankBy)
        {
            case VectorRanking v:
                needs._vectors.Add(v.Column);
                break;
            case TextRanking t:
                needs.AddText(t.Expr);
                break;
            case OrderRanking o:
                needs._attributes.Add(o.Attribute);
                break;
        }

        foreach (var a in query.Aggregates)
        {
            if (a.Attribute is { } name)
            {
                needs._attributes.Add(name);
            }
        }

        needs._attributes.UnionWith(query.GroupBy);
        if (query.Aggregates.Count > 0 || query.GroupBy.Count > 0)
        {
            return needs; // no hits to project
        }

        var p = query.Projection;
        if (!p.ExcludeAllAttributes)
        {
            if (p.IncludeAttributes.Count > 0)
            {
                needs._attributes.UnionWith(p.IncludeAttributes.Where(a => !p.ExcludeAttributes.Contains(a)));
            }
            else
            {
                needs._allAttributes = true;
                needs._excluded.UnionWith(p.ExcludeAttributes);
            }
        }

        needs._allVectors = p.IncludeAllVectors;
        needs._vectors.UnionWith(p.IncludeVectors);
        return needs;
    }

    /// <summary>The attributes of <paramref name="schema"/> to bring in.</summary>
    public IEnumerable<string> AttributesOf(NamespaceConfig schema) =>
        _allAttributes
            ? schema.Attributes.Keys.Where(a => _attributes.Contains(a) || !_excluded.Contains(a))
            : _attributes.Where(schema.Attributes.ContainsKey);

    /// <summary>The vector columns of <paramref name="schema"/> to bring in.</summary>
    public IEnumerable<string> VectorsOf(NamespaceConfig schema) =>
        _allVectors ? schema.Vectors.Keys : _vectors.Where(schema.Vectors.ContainsKey);

    private void AddFilter(FilterExpr? filter)
    {
        switch (filter)
        {
            case AndFilter a:
                a.Filters.ToList().ForEach(AddFilter);
                break;
            case OrFilter o:
                o.Filters.ToList().ForEach(AddFilter);
                break;
            case NotFilter n:
                AddFilter(n.Filter);
                break;
            case Moat.Search.Predicate p:
                _attributes.Add(p.Attribute);
                break;
        }
    }

    private void AddText(TextRankExpr expr)
    {
        switch (expr)
        {
            case Bm25Expr b:
                _attributes.Add(b.Attribute);
                break;
            case SumExpr s:
                s.Terms.ToList().ForEach(AddText);
                break;
            case MaxExpr m:
                m.Terms.ToList().ForEach(AddText);
                break;
            case WeightedExpr w:
                AddText(w.Term);
                break;
        }
    }
}
