using System.Buffers.Binary;
using System.Globalization;

namespace Moat.Search;

/// <summary>
/// A document id: u64 (in <see cref="Lo"/>), UUID (16 big-endian bytes in <see cref="Hi"/>,
/// <see cref="Lo"/>) or string (<see cref="Text"/>). Ordered u64 numerically, UUIDs by bytes, strings
/// by UTF-8 bytes: the row order of every segment.
/// </summary>
public readonly struct DocId : IEquatable<DocId>, IComparable<DocId>
{
    private DocId(DocIdKind kind, ulong hi, ulong lo, string? text)
    {
        Kind = kind;
        Hi = hi;
        Lo = lo;
        Text = text;
    }

    public DocIdKind Kind { get; }

    public ulong Hi { get; }

    public ulong Lo { get; }

    public string? Text { get; }

    public static DocId FromU64(ulong value) => new(DocIdKind.U64, 0, value, null);

    public static DocId FromUuid(ulong hi, ulong lo) => new(DocIdKind.Uuid, hi, lo, null);

    public static DocId FromUuid(ReadOnlySpan<byte> bigEndian16) =>
        new(DocIdKind.Uuid, BinaryPrimitives.ReadUInt64BigEndian(bigEndian16), BinaryPrimitives.ReadUInt64BigEndian(bigEndian16[8..]), null);

    public static DocId FromUuid(Guid guid)
    {
        Span<byte> b = stackalloc byte[16];
        guid.TryWriteBytes(b, bigEndian: true, out _);
        return FromUuid(b);
    }

    public static DocId FromString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(DocIdKind.String, 0, 0, text);
    }

    public ulong U64 => Lo;

    public Guid Uuid
    {
        get
        {
            Span<byte> b = stackalloc byte[16];
            BinaryPrimitives.WriteUInt64BigEndian(b, Hi);
            BinaryPrimitives.WriteUInt64BigEndian(b[8..], Lo);
            return new Guid(b, bigEndian: true);
        }
    }

    public int CompareTo(DocId other)
    {
        if (Kind != other.Kind)
        {
            return ((int)Kind).CompareTo((int)other.Kind);
        }

        if (Kind == DocIdKind.String)
        {
            return Utf8Compare.Compare(Text, other.Text);
        }

        var c = Hi.CompareTo(other.Hi);
        return c != 0 ? c : Lo.CompareTo(other.Lo);
    }

    public bool Equals(DocId other) =>
        Kind == other.Kind && Hi == other.Hi && Lo == other.Lo && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is DocId d && Equals(d);

    public override int GetHashCode() => Kind == DocIdKind.String ? StringComparer.Ordinal.GetHashCode(Text!) : HashCode.Combine(Hi, Lo);

    public static bool operator ==(DocId left, DocId right) => left.Equals(right);

    public static bool operator !=(DocId left, DocId right) => !left.Equals(right);

    public static bool operator <(DocId left, DocId right) => left.CompareTo(right) < 0;

    public static bool operator >(DocId left, DocId right) => left.CompareTo(right) > 0;

    public static bool operator <=(DocId left, DocId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(DocId left, DocId right) => left.CompareTo(right) >= 0;

    public override string ToString() => Kind switch
    {
        DocIdKind.U64 => Lo.ToString(CultureInfo.InvariantCulture),
        DocIdKind.Uuid => Uuid.ToString("D", CultureInfo.InvariantCulture),
        _ => Text ?? string.Empty,
    };
}
