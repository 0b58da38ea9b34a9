namespace Moat.Search;

/// <summary>How the ANN path chooses between the index and an exact scan.</summary>
public enum AnnStrategy
{
    /// <summary>Exact scan over the filter's rows when few pass, the index otherwise.</summary>
    Auto = 0,

    /// <summary>Always the index where a segment has one (for measurement).</summary>
    Index = 1,

    /// <summary>Always an exact scan.</summary>
    Exact = 2,
}

/// <summary>Tuning of approximate vector search. Zero values mean "choose".</summary>
public sealed record AnnOptions
{
    public static readonly AnnOptions Default = new();

    public AnnStrategy Strategy { get; init; } = AnnStrategy.Auto;

    /// <summary>Inverted lists probed (at least; filters widen it); 0 = from the list count.</summary>
    public int Probes { get; init; }

    /// <summary>Candidates re-ranked with exact distances, as a multiple of k; 0 = default (4).</summary>
    public int RerankFactor { get; init; }

    /// <summary>
    /// Auto: scan exactly when at most this many rows of a segment pass the filter; 0 = from the
    /// index's own cost estimate.
    /// </summary>
    public int ExactThreshold { get; init; }
}
