namespace Moat.Search;

/// <summary>Builds result rows with the attributes and vectors a projection asks for.</summary>
internal sealed class ProjectionPlan(Projection projection)
{
    private readonly HashSet<string>? include = projection.IncludeAttributes.Count > 0 ? new(projection.IncludeAttributes, StringComparer.Ordinal) : null;
    private readonly HashSet<string> exclude = new(projection.ExcludeAttributes, StringComparer.Ordinal);

    public SearchHit Materialize(SearchSegment segment, int segmentIndex, int row, double score)
    {
        var attributes = new Dictionary<string, FieldValue>(StringComparer.Ordinal);
        if (!projection.ExcludeAllAttributes)
        {
            foreach (var (name, attr) in segment.Attributes)
            {
                if ((include is null || include.Contains(name)) && !exclude.Contains(name) && attr.Column.GetValue(row) is { } v)
                {
                    attributes[name] = v;
                }
            }
        }

        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (projection.IncludeAllVectors || projection.IncludeVectors.Count > 0)
        {
            foreach (var (name, column) in segment.Vectors)
            {
                if ((projection.IncludeAllVectors || projection.IncludeVectors.Contains(name)) && column.GetVector(row) is { } v)
                {
                    vectors[name] = v;
                }
            }
        }

        return new SearchHit
        {
            Id = segment.Ids[row],
            Score = score,
            Attributes = attributes,
            Vectors = vectors,
            Segment = segmentIndex,
            Row = row,
        };
    }
}
