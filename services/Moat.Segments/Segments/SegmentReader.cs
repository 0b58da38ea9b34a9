using Moat.Internal.V1;
using Moat.Segments.Indexing;
using Moat.V1;

namespace Moat.Segments.Segments;

/// <summary>
/// Reads a whole segment held in memory. Sections are parsed on first use and view the given bytes
/// without copying; for range reads, use <see cref="SegmentDirectory"/> and the sections' own Parse.
/// </summary>
public sealed class SegmentReader
{
    private readonly ReadOnlyMemory<byte> bytes;
    private readonly Dictionary<(SegmentSectionKind, string), object> parsed = [];
    private IdColumn? ids;
    private ReadOnlyMemory<byte>? rowSequences;

    private SegmentReader(ReadOnlyMemory<byte> bytes, SegmentDirectory directory)
    {
        this.bytes = bytes;
        Directory = directory;
    }

    public SegmentDirectory Directory { get; }

    public SegmentHeader Header => Directory.Header;

    /// <summary>Schema snapshot with resolved attribute types.</summary>
    public NamespaceConfig Schema => Directory.Header.Schema;

    public int RowCount => (int)Header.RowCount;

    public static SegmentReader Open(ReadOnlyMemory<byte> segment) => new(segment, SegmentDirectory.Parse(segment.Span));

    public IdColumn Ids => ids ??= IdColumn.Parse(Section(SegmentSectionKind.Ids, string.Empty));

    /// <summary>WAL sequence of each row's last write.</summary>
    public ReadOnlySpan<ulong> RowSequences => global::Moat.Segments.Segments.RowSequences.AsSpan(rowSequences ??= global::Moat.Segments.Segments.RowSequences.Parse(Section(SegmentSectionKind.RowSequences, string.Empty)));

    public TombstoneList Tombstones => Get(SegmentSectionKind.Tombstones, string.Empty, TombstoneList.Parse);

    public VectorColumnData Vectors(string column) => Get(SegmentSectionKind.Vectors, column, VectorColumnData.Parse);

    public AttributeColumnData Attribute(string name) => Get(SegmentSectionKind.Attribute, name, AttributeColumnData.Parse);

    public bool HasAttribute(string name) => Directory.TryFind(SegmentSectionKind.Attribute, name, out _);

    /// <summary>Filter index of an attribute; null when it is not filterable.</summary>
    public FilterIndexData? FilterIndex(string name) =>
        Directory.TryFind(SegmentSectionKind.FilterIndex, name, out _) ? Get(SegmentSectionKind.FilterIndex, name, FilterIndexData.Parse) : null;

    /// <summary>Inverted index of an attribute; null when it is not full-text indexed.</summary>
    public InvertedIndexData? FullText(string name) =>
        Directory.TryFind(SegmentSectionKind.FullText, name, out _) ? Get(SegmentSectionKind.FullText, name, InvertedIndexData.Parse) : null;

    public VectorIndexBlob VectorIndex(string column)
    {
        var range = Directory.Find(SegmentSectionKind.VectorIndex, column);
        return new VectorIndexBlob(range.IndexKind, range.IndexVersion, SegmentDirectory.Slice(bytes, range));
    }

    /// <summary>Raw bytes of one section.</summary>
    public ReadOnlyMemory<byte> Section(SegmentSectionKind kind, string name) => SegmentDirectory.Slice(bytes, Directory.Find(kind, name));

    /// <summary>Row <paramref name="row"/> as a public document.</summary>
    public Document ReadDocument(int row)
    {
        var doc = new Document { Id = Ids.GetId(row) };
        foreach (var column in Schema.Vectors.Keys)
        {
            if (Vectors(column).GetVector(row) is { } v)
            {
                doc.Vectors[column] = v;
            }
        }

        foreach (var name in Schema.Attributes.Keys)
        {
            if (HasAttribute(name) && Attribute(name).GetValue(row) is { } v)
            {
                doc.Attributes[name] = v;
            }
        }

        return doc;
    }

    /// <summary>Every row and tombstone, as the input of a compaction merge.</summary>
    public FoldResult ReadAll()
    {
        var docs = new List<FoldedDocument>(RowCount);
        var seqs = RowSequences.ToArray();
        for (var i = 0; i < RowCount; i++)
        {
            docs.Add(new FoldedDocument(Ids.GetKey(i), ReadDocument(i), seqs[i]));
        }

        var t = Tombstones;
        var tombs = new List<Tombstone>(t.Count);
        for (var i = 0; i < t.Count; i++)
        {
            tombs.Add(new Tombstone(t.Ids.GetKey(i), t.Sequences[i]));
        }

        return new FoldResult(docs, tombs, Header.MinSequence, Header.MaxSequence);
    }

    private T Get<T>(SegmentSectionKind kind, string name, Func<ReadOnlyMemory<byte>, T> parse)
        where T : class
    {
        if (!parsed.TryGetValue((kind, name), out var o))
        {
            o = parse(Section(kind, name));
            parsed[(kind, name)] = o;
        }

        return (T)o;
    }
}
