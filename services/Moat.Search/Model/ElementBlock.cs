using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Moat.Search;

/// <summary>
/// A run of elements of one kind, laid out as the segment format stores them: fixed-width elements
/// contiguous (bool 1 byte, UUID 16 big-endian bytes, others 8 bytes little-endian), or strings as
/// (count + 1) u32 offsets into UTF-8 bytes. Views memory without copying.
/// </summary>
public readonly struct ElementBlock
{
    private ElementBlock(ValueKind kind, int count, ReadOnlyMemory<byte> fixedData, ReadOnlyMemory<byte> stringOffsets, ReadOnlyMemory<byte> stringBytes)
    {
        Kind = kind;
        Count = count;
        FixedData = fixedData;
        StringOffsets = stringOffsets;
        StringBytes = stringBytes;
    }

    public ValueKind Kind { get; }

    public int Count { get; }

    public ReadOnlyMemory<byte> FixedData { get; }

    public ReadOnlyMemory<byte> StringOffsets { get; }

    public ReadOnlyMemory<byte> StringBytes { get; }

    public static ElementBlock Fixed(ValueKind kind, int count, ReadOnlyMemory<byte> data)
    {
        if (kind == ValueKind.String)
        {
            throw new ArgumentException("Strings need offsets.", nameof(kind));
        }

        if (data.Length < (long)count * Width(kind))
        {
            throw new ArgumentException($"{count} {kind} elements need {count * Width(kind)} bytes, got {data.Length}.", nameof(data));
        }

        return new(kind, count, data, default, default);
    }

    public static ElementBlock Strings(int count, ReadOnlyMemory<byte> offsets, ReadOnlyMemory<byte> utf8)
    {
        if (offsets.Length < (count + 1) * 4)
        {
            throw new ArgumentException($"{count} strings need {count + 1} offsets.", nameof(offsets));
        }

        return new(ValueKind.String, count, default, offsets, utf8);
    }

    public static int Width(ValueKind kind) => kind switch
    {
        ValueKind.Bool => 1,
        ValueKind.Uuid => 16,
        ValueKind.String => 0,
        _ => 8,
    };

    public ReadOnlySpan<long> Int64s => MemoryMarshal.Cast<byte, long>(FixedData.Span);

    public ReadOnlySpan<ulong> UInt64s => MemoryMarshal.Cast<byte, ulong>(FixedData.Span);

    public ReadOnlySpan<double> Doubles => MemoryMarshal.Cast<byte, double>(FixedData.Span);

    public ReadOnlySpan<byte> Bools => FixedData.Span;

    public ReadOnlySpan<uint> Offsets => MemoryMarshal.Cast<byte, uint>(StringOffsets.Span);

    public ReadOnlySpan<byte> Uuid(int index) => FixedData.Span.Slice(index * 16, 16);

    public ReadOnlySpan<byte> Utf8(int index)
    {
        var o = Offsets;
        return StringBytes.Span[(int)o[index]..(int)o[index + 1]];
    }

    public string GetString(int index) => Encoding.UTF8.GetString(Utf8(index));

    /// <summary>The raw 8-byte word of a fixed element (bool 0/1; UUID: its high half).</summary>
    public ulong Bits(int index) => Kind switch
    {
        ValueKind.Bool => FixedData.Span[index],
        ValueKind.Uuid => BinaryPrimitives.ReadUInt64BigEndian(Uuid(index)),
        _ => UInt64s[index],
    };

    /// <summary>Element <paramref name="index"/> as a value (allocates a string for strings).</summary>
    public ScalarValue Get(int index) => Kind switch
    {
        ValueKind.Bool => ScalarValue.Bool(FixedData.Span[index] != 0),
        ValueKind.Int64 => ScalarValue.Int64(Int64s[index]),
        ValueKind.UInt64 => ScalarValue.UInt64(UInt64s[index]),
        ValueKind.Double => ScalarValue.Double(Doubles[index]),
        ValueKind.DateTime => ScalarValue.DateTime(Int64s[index]),
        ValueKind.Uuid => ScalarValue.Uuid(BinaryPrimitives.ReadUInt64BigEndian(Uuid(index)), BinaryPrimitives.ReadUInt64BigEndian(Uuid(index)[8..])),
        _ => ScalarValue.String(GetString(index)),
    };

    /// <summary>Compares element <paramref name="index"/> with an operand (numbers across kinds); null when incomparable.</summary>
    public int? Compare(int index, in ScalarValue operand)
    {
        switch (Kind)
        {
            case ValueKind.String:
                return operand.Kind == ValueKind.String ? CompareUtf8(Utf8(index), operand.AsString) : null;
            case ValueKind.Uuid:
                if (operand.Kind != ValueKind.Uuid)
                {
                    return null;
                }

                var u = Uuid(index);
                var hi = BinaryPrimitives.ReadUInt64BigEndian(u);
                return hi != operand.UuidHi ? hi.CompareTo(operand.UuidHi) : BinaryPrimitives.ReadUInt64BigEndian(u[8..]).CompareTo(operand.UuidLo);
            case ValueKind.Bool:
                return operand.Kind == ValueKind.Bool ? FixedData.Span[index].CompareTo(operand.AsBool ? (byte)1 : (byte)0) : null;
            default:
                return Numeric.Compare(Kind, UInt64s[index], operand);
        }
    }

    /// <summary>Compares two elements of this block.</summary>
    public int CompareElements(int i, int j) => Kind switch
    {
        ValueKind.String => Utf8(i).SequenceCompareTo(Utf8(j)),
        ValueKind.Uuid => Uuid(i).SequenceCompareTo(Uuid(j)),
        ValueKind.Bool => FixedData.Span[i].CompareTo(FixedData.Span[j]),
        ValueKind.Int64 or ValueKind.DateTime => Int64s[i].CompareTo(Int64s[j]),
        ValueKind.Double => Doubles[i].CompareTo(Doubles[j]),
        _ => UInt64s[i].CompareTo(UInt64s[j]),
    };

    /// <summary>Compares UTF-8 bytes with a .NET string in code point order, without allocating.</summary>
    public static int CompareUtf8(ReadOnlySpan<byte> utf8, string s)
    {
        var max = Encoding.UTF8.GetMaxByteCount(s.Length);
        if (max <= 512)
        {
            Span<byte> buf = stackalloc byte[max];
            var n = Encoding.UTF8.GetBytes(s, buf);
            return utf8.SequenceCompareTo(buf[..n]);
        }

        return utf8.SequenceCompareTo(Encoding.UTF8.GetBytes(s));
    }
}
