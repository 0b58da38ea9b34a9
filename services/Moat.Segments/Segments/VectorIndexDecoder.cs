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
    /// <param name="lazy">Only the index head is in memory (a segment read by ranges): its lists are checked as they are read.</param>
    public static IVectorIndex? Decode(VectorIndexBlob blob, VectorColumn column, bool lazy = false)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(column);
        if (blob.Kind != IvfSq8Index.KindName || blob.Version < IvfSq8Index.MinFormatVersion || blob.Version > IvfSq8Index.FormatVersion)
        {
            return null;
        }

        try
        {
            return IvfSq8Index.Load(blob.Bytes, column.Dimensions, column.Metric, column.RowCount, blob.Version, checkRows: !lazy);
        }
        catch (FormatException e)
        {
            throw new SegmentFormatException($"Malformed {blob.Kind} vector index: {e.Message}", e);
        }
    }

    /// <summary>
    /// Bytes at the start of an index slot that must be in memory before <see cref="Decode"/> with
    /// lazy set: given the slot's first <see cref="HeaderBytes"/> bytes (0 for a kind read whole or not at all).
    /// </summary>
    public static long HeadLength(uint indexKindVersion, string kind, ReadOnlySpan<byte> header)
    {
        if (kind != IvfSq8Index.KindName || indexKindVersion < IvfSq8Index.MinFormatVersion || indexKindVersion > IvfSq8Index.FormatVersion)
        {
            return 0;
        }

        try
        {
            return IvfSq8Index.HeadLength(header);
        }
        catch (FormatException e)
        {
            throw new SegmentFormatException($"Malformed {kind} vector index: {e.Message}", e);
        }
    }

    /// <summary>Bytes of an index slot's header that <see cref="HeadLength"/> reads.</summary>
    public const int HeaderBytes = IvfSq8Index.HeaderBytes;
}
