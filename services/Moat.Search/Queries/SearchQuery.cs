namespace Moat.Search;

/// <summary>
/// One query (mirrors moat.v1.QuerySpec in plain types): rank, filter, top_k, projection,
/// aggregates. With aggregates no rows are returned and <see cref="RankBy"/> must be null.
/// </summary>
public sealed record SearchQuery
{
    public const int MaxTopK = 10_000;

    /// <summary>Ranking; null = id order ascending.</summary>
    public Ranking? RankBy { get; init; }

    /// <summary>Only rows matching this filter; null = every row.</summary>
    public FilterExpr? Filter { get; init; }

    /// <summary>Rows (or aggregate groups) to return: 1 to <see cref="MaxTopK"/>.</summary>
    public int TopK { get; init; } = 10;

    public Projection Projection { get; init; } = Projection.Default;

    public IReadOnlyList<AggregateSpec> Aggregates { get; init; } = [];

    /// <summary>Attributes to group the aggregates by.</summary>
    public IReadOnlyList<string> GroupBy { get; init; } = [];

    /// <summary>Tuning of the ANN path (vector ranking only); null = defaults.</summary>
    public AnnOptions? Ann { get; init; }
}
