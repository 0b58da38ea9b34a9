namespace Moat.Search.Vectors;

/// <summary>A row and its distance to a query vector.</summary>
public readonly record struct Neighbor(int Row, float Distance);

/// <summary>
/// An approximate nearest-neighbour index over the rows of one vector column. Distances it returns
/// are exact (re-ranked on the column's floats), so they merge with exact scans of other segments.
/// </summary>
public interface IVectorIndex
{
    /// <summary>Kind tag of the serialised form (e.g. "ivf-sq8").</summary>
    string Kind { get; }

    /// <summary>Bytes the index holds beyond the column's own vectors.</summary>
    long MemoryBytes { get; }

    /// <summary>Rows indexed (rows with a vector).</summary>
    int Count { get; }

    /// <summary>
    /// Distance computations (in rows) an unfiltered search of k costs: below it, an exact scan of
    /// the accepted rows is cheaper and exact.
    /// </summary>
    int EstimatedCost(int k, AnnOptions options);

    /// <summary>
    /// Up to <c>results.Length</c> nearest rows among those set in <paramref name="accept"/> (null =
    /// every row), ascending distance; returns how many were written. <paramref name="acceptCount"/>
    /// is the number of rows set in <paramref name="accept"/> (the row count when null).
    /// </summary>
    int Search(VectorColumn column, ReadOnlySpan<float> query, RowBitmap? accept, int acceptCount, AnnOptions options, Span<Neighbor> results);
}
