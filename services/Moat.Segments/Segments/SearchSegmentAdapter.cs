using Moat.Internal.V1;
using Moat.Search;
using Moat.Segments.Indexing;
using Moat.Segments.Text;
using Moat.V1;

namespace Moat.Segments.Segments;

/// <summary>
/// Adapts stored data to the engine: a <see cref="SegmentReader"/> becomes a
/// <see cref="SearchSegment"/> whose columns and indexes view the segment bytes without copying
/// (the vector index slot decoded by <see cref="VectorIndexDecoder"/>), and the WAL tail (a
/// <see cref="FoldResult"/>) becomes one by building it as an in-memory segment first, so the tail
/// has exactly the types, filter indexes and text analysis of a stored segment.
/// </summary>
public static class SearchSegmentAdapter
{
    /// <summary>The engine's view of a stored segment (sections parsed now; bytes not copied).</summary>
    public static SearchSegment FromReader(SegmentReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var schema = reader.Schema;
        var attributes = new Dictionary<string, SearchAttribute>(StringComparer.Ordinal);
        foreach (var (name, attr) in schema.Attributes)
        {
            if (reader.HasAttribute(name))
            {
                attributes[name] = Attribute(reader, name, attr);
            }
        }

        var vectors = new Dictionary<string, Search.VectorColumn>(StringComparer.Ordinal);
        foreach (var (name, config) in schema.Vectors)
        {
            vectors[name] = Vector(reader, name, config, residency: null);
        }

        return new SearchSegment(reader.Header.SegmentId, Ids(reader), Tombstones(reader), attributes, vectors);
    }

    /// <summary>The segment's ids as the engine reads them.</summary>
    public static DocIdColumn Ids(SegmentReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Ids(reader.Ids);
    }

    /// <summary>The segment's tombstoned ids as the engine reads them.</summary>
    public static DocIdColumn Tombstones(SegmentReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Ids(reader.Tombstones.Ids);
    }

    /// <summary>One attribute (column, filter index, full-text index) of a segment that has it; its sections must be in memory.</summary>
    public static SearchAttribute Attribute(SegmentReader reader, string name, AttributeSchema attr)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(attr);
        var data = reader.Attribute(name);
        var column = new AttributeColumn(new FieldType((ValueKind)data.Kind, data.IsList), data.RowCount, data.PresenceMemory, data.ListOffsetsMemory, Block(data.Values));
        var filter = reader.FilterIndex(name) is { } f ? new FilterIndex(Block(f.Values), f.PostingOffsetsMemory, f.PostingsMemory) : null;
        TextIndex? text = null;
        if (attr.FullText is not null && reader.FullText(name) is { } t)
        {
            text = new TextIndex(
                TokenizerFactory.ToSearch(attr.FullText),
                t.RowCount,
                t.TotalTokens,
                Block(t.Terms),
                t.DocumentLengthsMemory,
                t.TermPostingStartsMemory,
                t.PostingRowsMemory,
                t.PostingFrequenciesMemory,
                t.PositionStartsMemory,
                t.PositionsMemory);
        }

        return new SearchAttribute(column, filter, text);
    }

    /// <summary>
    /// One vector column and its index. With a <paramref name="residency"/> (a segment read by
    /// ranges) only the column's prefix (header, presence) and the index head must be in memory:
    /// rows and index lists are checked as the engine reads them.
    /// </summary>
    public static Search.VectorColumn Vector(SegmentReader reader, string name, Moat.V1.VectorColumn config, IResidency? residency)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(config);
        var data = residency is null ? reader.Vectors(name) : VectorColumnData.Parse(reader.RawSection(SegmentSectionKind.Vectors, name));
        var column = ToSearchColumn(data, Metric(config.Metric), index: null, residency);
        var blob = residency is null ? reader.VectorIndex(name) : reader.RawVectorIndex(name);
        var index = VectorIndexDecoder.Decode(blob, column, lazy: residency is not null);
        return index is null ? column : ToSearchColumn(data, column.Metric, index, residency);
    }

    /// <summary>The engine's view of unindexed WAL documents (the tail of a snapshot).</summary>
    public static SearchSegment FromFold(FoldResult fold, NamespaceConfig schema, string segmentId = "wal-tail")
    {
        ArgumentNullException.ThrowIfNull(fold);
        ArgumentNullException.ThrowIfNull(schema);
        var bytes = SegmentBuilder.BuildToArray(new SegmentBuildRequest
        {
            SegmentId = segmentId,
            NamespaceId = string.Empty,
            Schema = schema,
            Contents = fold,
        });
        return FromReader(SegmentReader.Open(bytes));
    }

    /// <summary>The engine's metric for a column's public metric (unset = cosine is never stored; treat as cosine).</summary>
    public static VectorMetric Metric(DistanceMetric metric) => metric switch
    {
        DistanceMetric.Euclidean => VectorMetric.Euclidean,
        DistanceMetric.Dot => VectorMetric.Dot,
        _ => VectorMetric.Cosine,
    };

    /// <summary>The engine's form of an id.</summary>
    public static DocId ToDocId(DocKey key) => key.Kind switch
    {
        IdKind.U64 => DocId.FromU64(key.Lo),
        IdKind.Uuid => DocId.FromUuid(key.Hi, key.Lo),
        _ => DocId.FromString(key.Text ?? string.Empty),
    };

    internal static Search.VectorColumn ToSearchColumn(VectorColumnData data, VectorMetric metric, Search.Vectors.IVectorIndex? index, IResidency? residency = null) =>
        new(data.Dimensions, metric, data.ElementType == VectorElementType.F16 ? VectorElementKind.F16 : VectorElementKind.F32, data.RowCount, data.PresenceMemory, data.DataMemory, index, residency);

    private static DocIdColumn Ids(IdColumn ids) => new((DocIdKind)ids.Kind, Block(ids.Values));

    private static ElementBlock Block(ValueBlock v) => v.Kind == ElementKind.String
        ? ElementBlock.Strings(v.Count, v.OffsetsMemory, v.BytesMemory)
        : ElementBlock.Fixed((ValueKind)v.Kind, v.Count, v.FixedMemory);
}
