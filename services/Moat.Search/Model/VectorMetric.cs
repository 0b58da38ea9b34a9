namespace Moat.Search;

/// <summary>Distance of a vector column; lower is closer (same numbers as moat.v1.DistanceMetric).</summary>
public enum VectorMetric
{
    /// <summary>1 − cos(a, b), in [0, 2]; 1 when either vector is zero.</summary>
    Cosine = 1,

    /// <summary>Squared Euclidean distance Σ (a − b)².</summary>
    Euclidean = 2,

    /// <summary>Negative dot product −(a · b).</summary>
    Dot = 3,
}
