using System.Buffers.Binary;
using System.Globalization;
using Moat.V1;

namespace Moat.Segments;

/// <summary>
/// A document id normalised for comparison: u64 numerically, UUIDs by their 16 big-endian bytes
/// (= canonical text order), strings by UTF-8 byte order. This is the row order of every segment.
/// </summary>
public readonly record struct DocKey(IdKind Kind, ulong Hi, ulong Lo, string? Text) : IComparable<DocKey>
{
    public static DocKey FromU64(ulong value) => new(IdKind.U64, 0, value, null);

    public static DocKey FromUuid(ReadOnlySpan<byte> bigEndian16) =>
        new(IdKind.Uuid, BinaryPrimitives.ReadUInt64BigEndian(bigEndian16), BinaryPrimitives.ReadUInt64BigEndian(bigEndian16[8..]), null);

    public static DocKey FromUuid(Guid guid)
    {
        Span<byte> bytes = stackalloc byte[16];
        guid.TryWriteBytes(bytes, bigEndian: true, out _);
        return FromUuid(bytes);
    }

    public static DocKey FromText(string text) => new(IdKind.String, 0, 0, text);

    /// <summary>Normalises a public id; throws when no id is set or a UUID is malformed.</summary>
    public static DocKey From(DocumentId id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.IdCase switch
        {
            DocumentId.IdOneofCase.U64 => FromU64(id.U64),
            DocumentId.IdOneofCase.Uuid => FromUuid(ParseUuid(id.Uuid)),
            DocumentId.IdOneofCase.Text => FromText(id.Text),
            _ => throw new SegmentFormatException("A document id has no value."),
        };
    }

    internal static Guid ParseUuid(string text) =>
        Guid.TryParseExact(text, "D", out var g) ? g : throw new SegmentFormatException($"Malformed UUID '{text}'.");

    /// <summary>Writes the 16 big-endian bytes of a UUID key.</summary>
    public void WriteUuid(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, Hi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Lo);
    }

    /// <summary>Back to the public form (UUIDs in lower-case canonical text).</summary>
    public DocumentId ToDocumentId()
    {
        switch (Kind)
        {
            case IdKind.U64:
                return new DocumentId { U64 = Lo };
            case IdKind.Uuid:
                Span<byte> bytes = stackalloc byte[16];
                WriteUuid(bytes);
                return new DocumentId { Uuid = new Guid(bytes, bigEndian: true).ToString("D", CultureInfo.InvariantCulture) };
            case IdKind.String:
                return new DocumentId { Text = Text };
            default:
                throw new SegmentFormatException("A document key has no kind.");
        }
    }

    public int CompareTo(DocKey other)
    {
        if (Kind != other.Kind)
        {
            return ((int)Kind).CompareTo((int)other.Kind);
        }

        if (Kind == IdKind.String)
        {
            return Utf8Order.Instance.Compare(Text, other.Text);
        }

        var c = Hi.CompareTo(other.Hi);
        return c != 0 ? c : Lo.CompareTo(other.Lo);
    }

    public static bool operator <(DocKey left, DocKey right) => left.CompareTo(right) < 0;

    public static bool operator >(DocKey left, DocKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(DocKey left, DocKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(DocKey left, DocKey right) => left.CompareTo(right) >= 0;

    public override string ToString() => Kind switch
    {
        IdKind.U64 => Lo.ToString(CultureInfo.InvariantCulture),
        IdKind.String => Text ?? string.Empty,
        _ => ToDocumentId().Uuid,
    };
}
