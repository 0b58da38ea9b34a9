namespace Moat.Search;

/// <summary>
/// An immutable set of rows the engine searches: ids ascending, typed attribute columns with their
/// indexes, vector columns, and the tombstones (ids deleted at this segment's point in time, which
/// hide rows of older segments). A stored segment or the WAL tail, adapted by Moat.Segments.
/// </summary>
public sealed class SearchSegment
{
    public SearchSegment(
        string id,
        DocIdColumn ids,
        DocIdColumn? tombstones,
        IReadOnlyDictionary<string, SearchAttribute> attributes,
        IReadOnlyDictionary<string, VectorColumn> vectors)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(attributes);
        ArgumentNullException.ThrowIfNull(vectors);
        foreach (var (name, a) in attributes)
        {
            if (a.Column.RowCount != ids.Count)
            {
                throw new ArgumentException($"Attribute '{name}' has {a.Column.RowCount} rows; the segment has {ids.Count}.", nameof(attributes));
            }
        }

        foreach (var (name, v) in vectors)
        {
            if (v.RowCount != ids.Count)
            {
                throw new ArgumentException($"Vector column '{name}' has {v.RowCount} rows; the segment has {ids.Count}.", nameof(vectors));
            }
        }

        Id = id;
        Ids = ids;
        Tombstones = tombstones ?? DocIdColumn.Empty(ids.Kind);
        Attributes = attributes;
        Vectors = vectors;
    }

    public string Id { get; }

    public int RowCount => Ids.Count;

    public DocIdColumn Ids { get; }

    public DocIdColumn Tombstones { get; }

    public IReadOnlyDictionary<string, SearchAttribute> Attributes { get; }

    public IReadOnlyDictionary<string, VectorColumn> Vectors { get; }

    public SearchAttribute? Attribute(string name) => Attributes.TryGetValue(name, out var a) ? a : null;
}
