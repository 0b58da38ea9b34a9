using System.Buffers;
using Moat.Search.Vectors;
using Moat.V1;

namespace Moat.Segments.Segments;

/// <summary>
/// Fills a vector column's index slot with Moat.Search's IVF-SQ8 index (kind "ivf-sq8", version 2:
/// probes calibrated on the rows; layout in docs/search.md), trained with a fixed seed so a rebuild
/// of the same rows gives the same bytes. <see cref="VectorIndexDecoder"/> reads it back (versions 1
/// and 2).
/// </summary>
public sealed class IvfSq8IndexBuilder(IvfSq8Options? options = null) : IVectorIndexBuilder
{
    public string Kind => IvfSq8Index.KindName;

    public uint Version => IvfSq8Index.FormatVersion;

    public void Build(string column, VectorColumn config, VectorColumnData vectors, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(output);
        var engineColumn = SearchSegmentAdapter.ToSearchColumn(vectors, SearchSegmentAdapter.Metric(config.Metric), index: null);
        IvfSq8Index.Train(engineColumn, options).WriteTo(output);
    }
}
