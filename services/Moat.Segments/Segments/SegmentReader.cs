using Moat.Internal.V1;
using Moat.Search;
using Moat.Segments.Indexing;
using Moat.V1;

namespace Moat.Segments.Segments;

/// <summary>
/// Reads a segment held in memory. Sections are parsed on first use and view the given bytes
/// without copying. A segment read by ranges is opened with its <see cref="IResidency"/>: reading a
/// section that is not in memory then throws instead of returning stale bytes
/// (<see cref="RawSection"/> is the unchecked way for parts that are checked row by row).
/// </summary>
public sealed class SegmentReader
{
    private readonly ReadOnlyMemory<byte> bytes;
    private readonly IResidency? residency;
    private readonly Dictionary<(SegmentSectionKind, string), object> parsed = [];
    private IdColumn? ids;
    private ReadOnlyMemory<byte>? rowSequences;

    private SegmentReader(ReadOnlyMemory<byte> bytes, SegmentDirectory directory, IResidency? residency = null)
    {
        this.bytes = bytes;
        Directory = directory;
        this.residency = residency;
    }

    public SegmentDirectory Directory { get; }

    public SegmentHeader Header => Directory.Header;

    /// <summary>Schema snapshot with resolved attribute types.</summary>
    public NamespaceConfig Schema => Directory.Header.Schema;

    public int RowCount => (int)Header.RowCount;

    public static SegmentReader Open(ReadOnlyMemory<byte> segment) => new(segment, SegmentDirectory.Parse(segment.Span));

    /// <summary>
    /// Opens a segment of which only some bytes are in memory (at least the head: the first
    /// <see cref="SegmentLayout.HeadLength"/> bytes); <paramref name="residency"/> tells which.
    /// </summary>
    public static SegmentReader Open(ReadOnlyMemory<byte> segment, IResidency residency)
    {
        ArgumentNullException.ThrowIfNull(residency);
        return new(segment, SegmentDirectory.Parse(segment.Span), residency);
    }

    /// <summary>Whether every byte of the segment is in memory.</summary>
    public bool IsWhole => residency is null || residency.Contains(bytes);

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
        return new VectorIndexBlob(range.IndexKind, range.IndexVersion, Section(SegmentSectionKind.VectorIndex, column));
    }

    /// <summary>The vector index slot without the residency check (its lists are checked as they are scored).</summary>
    public VectorIndexBlob RawVectorIndex(string column)
    {
        var range = Directory.Find(SegmentSectionKind.VectorIndex, column);
        return new VectorIndexBlob(range.IndexKind, range.IndexVersion, RawSection(SegmentSectionKind.VectorIndex, column));
    }

    /// <summary>Raw bytes of one section; throws when the segment is read by ranges and the section is not in memory.</summary>
    public ReadOnlyMemory<byte> Section(SegmentSectionKind kind, string name)
    {
        var section = RawSection(kind, name);
        if (residency is not null && !residency.Contains(section))
        {
            throw new InvalidOperationException($"Section {kind} '{name}' of segment {Header.SegmentId} is not in memory; load it before reading it.");
        }

        return section;
    }

    /// <summary>
    /// Bytes of one section, whether in memory or not: for parts the engine checks row by row
    /// (vector rows, index lists). The caller ensures whatever it reads directly is present.
    /// </summary>
    public ReadOnlyMemory<byte> RawSection(SegmentSectionKind kind, string name) => SegmentDirectory.Slice(bytes, Directory.Find(kind, name));

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
