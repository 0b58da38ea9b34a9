using System.Buffers.Binary;
using Google.Protobuf;
using Moat.Internal.V1;

namespace Moat.Segments.Segments;

/// <summary>
/// The header and section table of a segment, parsed from its head only (the first
/// <see cref="SegmentLayout.HeadLength"/> bytes), so a reader can range-read single sections:
/// GET bytes [0, 16) → HeadLength → GET [0, HeadLength) → Parse → GET a section's range → its Parse.
/// </summary>
public sealed class SegmentDirectory
{
    private readonly Dictionary<(SegmentSectionKind, string), SectionRange> byKey = [];

    private SegmentDirectory(ushort version, SegmentHeader header, long dataStart, IReadOnlyList<SectionRange> sections)
    {
        FormatVersion = version;
        Header = header;
        DataStart = dataStart;
        Sections = sections;
        foreach (var s in sections)
        {
            byKey[(s.Kind, s.Name)] = s;
        }
    }

    public ushort FormatVersion { get; }

    public SegmentHeader Header { get; }

    /// <summary>Absolute offset of the data area.</summary>
    public long DataStart { get; }

    public IReadOnlyList<SectionRange> Sections { get; }

    /// <summary>Parses the head (at least <see cref="SegmentLayout.HeadLength"/> bytes; more is ignored).</summary>
    public static SegmentDirectory Parse(ReadOnlySpan<byte> head)
    {
        var version = FormatEnvelope.ReadAndCheck(head, SegmentLayout.Magic, SegmentLayout.CurrentVersion, "segment");
        var dataStart = SegmentLayout.HeadLength(head);
        var headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(head[8..]);
        if (head.Length < SegmentLayout.PrefixLength + headerLength)
        {
            throw new SegmentFormatException($"Segment head truncated: the header needs {SegmentLayout.PrefixLength + headerLength} bytes, got {head.Length}.");
        }

        SegmentHeader header;
        try
        {
            header = SegmentHeader.Parser.ParseFrom(head.Slice(SegmentLayout.PrefixLength, headerLength));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SegmentFormatException("Malformed segment header.", e);
        }

        var sections = header.Sections
            .Select(s => new SectionRange(s.Kind, s.Name, dataStart + (long)s.Offset, (long)s.Length, s.IndexKind, s.IndexVersion))
            .ToList();
        return new SegmentDirectory(version, header, dataStart, sections);
    }

    public bool TryFind(SegmentSectionKind kind, string name, out SectionRange range) => byKey.TryGetValue((kind, name), out range);

    public SectionRange Find(SegmentSectionKind kind, string name = "") =>
        TryFind(kind, name, out var r) ? r : throw new KeyNotFoundException($"Segment {Header.SegmentId} has no {kind} section '{name}'.");

    /// <summary>Bytes of one section, sliced out of the whole object (no copy).</summary>
    public static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> segment, SectionRange range)
    {
        if (range.Offset < 0 || range.Length < 0 || range.Offset + range.Length > segment.Length)
        {
            throw new SegmentFormatException($"Section {range.Kind} '{range.Name}' lies outside the segment.");
        }

        return segment.Slice((int)range.Offset, (int)range.Length);
    }
}
