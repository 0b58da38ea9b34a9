using Moat.Search;
using Moat.Search.Vectors;

namespace Moat.Segments.Segments;

/// <summary>
/// Turns a vector index slot back into an engine index by kind and version. A kind (or version) it
/// does not know gives null: the column is searched exactly, never wrongly.
/// </summary>
public static class VectorIndexDecoder
{
    /// <summary>The index of <paramref name="column"/> in <paramref name="blob"/>, or null for exact search.</summary>
    public static IVectorIndex? Decode(VectorIndexBlob blob, VectorColumn column)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(column);
        if (blob.Kind != IvfSq8Index.KindName || blob.Version < IvfSq8Index.MinFormatVersion || blob.Version > IvfSq8Index.FormatVersion)
        {
            return null;
        }

        try
        {
            return IvfSq8Index.Load(blob.Bytes, column.Dimensions, column.Metric, column.RowCount, blob.Version);
        }
        catch (FormatException e)
        {
            throw new SegmentFormatException($"Malformed {blob.Kind} vector index: {e.Message}", e);
        }
    }
}
