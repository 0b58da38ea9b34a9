namespace Moat.Search;

/// <summary>What a query returns.</summary>
public sealed class SearchResult
{
    public required IReadOnlyList<SearchHit> Hits { get; init; }

    /// <summary>Aggregates by name when there is no group_by.</summary>
    public IReadOnlyDictionary<string, ScalarValue> Aggregates { get; init; } = new Dictionary<string, ScalarValue>();

    /// <summary>Aggregate groups in group-key order (missing values last), at most top_k.</summary>
    public IReadOnlyList<AggregateGroup> Groups { get; init; } = [];

    public required SearchStats Stats { get; init; }
}

/// <summary>One result row.</summary>
public sealed class SearchHit
{
    public required DocId Id { get; init; }

    /// <summary>Vector: distance (lower is closer). Text: BM25 score. Order / none: 0.</summary>
    public double Score { get; init; }

    /// <summary>Projected attributes (missing ones absent).</summary>
    public required IReadOnlyDictionary<string, FieldValue> Attributes { get; init; }

    /// <summary>Projected vectors (as f32).</summary>
    public required IReadOnlyDictionary<string, float[]> Vectors { get; init; }

    /// <summary>Index of the segment in the snapshot (oldest first, tail last) and row in it.</summary>
    public int Segment { get; init; }

    public int Row { get; init; }
}

/// <summary>Aggregates of one group.</summary>
public sealed class AggregateGroup
{
    /// <summary>A value per group_by attribute; null when missing.</summary>
    public required IReadOnlyDictionary<string, FieldValue?> Key { get; init; }

    public required IReadOnlyDictionary<string, ScalarValue> Values { get; init; }
}

/// <summary>How a query was served.</summary>
public sealed class SearchStats
{
    /// <summary>Rows searched exhaustively (vector distances computed without an index, or EXACT).</summary>
    public long ExhaustiveCount { get; init; }

    /// <summary>Segments searched through an ANN index.</summary>
    public int IndexedSegments { get; init; }

    /// <summary>Segments searched exactly.</summary>
    public int ExactSegments { get; init; }

    /// <summary>Rows matching the filter (live), when it was computed.</summary>
    public long MatchedRows { get; init; }
}
