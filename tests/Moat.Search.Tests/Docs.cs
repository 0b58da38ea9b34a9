namespace Moat.Search.Tests;

/// <summary>Small helpers to build in-memory segments and snapshots.</summary>
internal static class Docs
{
    public static Dictionary<string, FieldValue?> Attrs(params (string Name, FieldValue? Value)[] pairs) =>
        pairs.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

    public static SearchSnapshot Snapshot(params SearchSegment[] segments) => new(segments);

    public static ulong[] Ids(SearchResult r) => r.Hits.Select(h => h.Id.U64).ToArray();

    public static ulong[] Ids(SearchSnapshot snap, FilterExpr filter) =>
        Ids(snap.Search(new SearchQuery { Filter = filter, TopK = 10_000 }));

    public static Predicate P(string attribute, FilterOp op, FieldValue? operand) => new(attribute, op, operand);
}
