using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Moat.Segments.Segments;

/// <summary>
/// A run of elements of one kind, as stored: fixed-width elements contiguous, or strings as
/// (count + 1) u32 offsets into UTF-8 bytes. Spans view the segment bytes without copying.
/// </summary>
public readonly struct ValueBlock
{
    private readonly ReadOnlyMemory<byte> fixedData;
    private readonly ReadOnlyMemory<byte> stringOffsets;
    private readonly ReadOnlyMemory<byte> stringBytes;

    private ValueBlock(ElementKind kind, int count, ReadOnlyMemory<byte> fixedData, ReadOnlyMemory<byte> stringOffsets, ReadOnlyMemory<byte> stringBytes)
    {
        Kind = kind;
        Count = count;
        this.fixedData = fixedData;
        this.stringOffsets = stringOffsets;
        this.stringBytes = stringBytes;
    }

    public ElementKind Kind { get; }

    /// <summary>Fixed-width elements' bytes (empty for strings): the search adapter views them.</summary>
    internal ReadOnlyMemory<byte> FixedMemory => fixedData;

    /// <summary>Strings: (count + 1) u32 offsets.</summary>
    internal ReadOnlyMemory<byte> OffsetsMemory => stringOffsets;

    /// <summary>Strings: the UTF-8 bytes.</summary>
    internal ReadOnlyMemory<byte> BytesMemory => stringBytes;

    public int Count { get; }

    /// <summary>Int64 and DateTime (microseconds) elements.</summary>
    public ReadOnlySpan<long> Int64s => MemoryMarshal.Cast<byte, long>(fixedData.Span);

    public ReadOnlySpan<ulong> UInt64s => MemoryMarshal.Cast<byte, ulong>(fixedData.Span);

    public ReadOnlySpan<double> Doubles => MemoryMarshal.Cast<byte, double>(fixedData.Span);

    /// <summary>Bool elements, one byte each (0 or 1).</summary>
    public ReadOnlySpan<byte> Bools => fixedData.Span;

    /// <summary>The 16 big-endian bytes of UUID element <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Uuid(int index) => fixedData.Span.Slice(index * 16, 16);

    /// <summary>The UTF-8 bytes of string element <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Utf8(int index)
    {
        var offs = MemoryMarshal.Cast<byte, uint>(stringOffsets.Span);
        var start = (int)offs[index];
        return stringBytes.Span[start..(int)offs[index + 1]];
    }

    public string GetString(int index) => Encoding.UTF8.GetString(Utf8(index));

    internal ElementKey Key(int index) => Kind switch
    {
        ElementKind.String => new ElementKey(0, 0, GetString(index)),
        ElementKind.Bool => new ElementKey(Bools[index], 0, null),
        ElementKind.Uuid => new ElementKey(BinaryPrimitives.ReadUInt64BigEndian(Uuid(index)), BinaryPrimitives.ReadUInt64BigEndian(Uuid(index)[8..]), null),
        _ => new ElementKey(UInt64s[index], 0, null),
    };

    internal static ValueBlock Read(ref BlockCursor c, ElementKind kind, ulong count, ulong stringByteCount)
    {
        if (count > int.MaxValue)
        {
            throw new SegmentFormatException("Too many elements in a segment block.");
        }

        if (kind == ElementKind.String)
        {
            var offs = c.Block((count + 1) * 4);
            var bytes = c.Block(stringByteCount);
            var o = MemoryMarshal.Cast<byte, uint>(offs.Span);
            for (var i = 0; i < o.Length; i++)
            {
                if (o[i] > stringByteCount || (i > 0 && o[i] < o[i - 1]))
                {
                    throw new SegmentFormatException("Malformed string offsets in a segment block.");
                }
            }

            return new ValueBlock(kind, (int)count, default, offs, bytes);
        }

        var data = c.Block(count * (ulong)Elements.Width(kind));
        return new ValueBlock(kind, (int)count, data, default, default);
    }

    /// <summary>Writes elements; returns the UTF-8 byte count of strings (0 for fixed kinds). The caller wrote the counts before.</summary>
    internal static void Write(BlockWriter w, ElementKind kind, IReadOnlyList<ElementKey> elements)
    {
        if (kind == ElementKind.String)
        {
            uint off = 0;
            w.U32(0);
            foreach (var e in elements)
            {
                off += (uint)Encoding.UTF8.GetByteCount(e.S ?? string.Empty);
                w.U32(off);
            }

            w.Align8();
            foreach (var e in elements)
            {
                w.Utf8(e.S ?? string.Empty);
            }

            w.Align8();
            return;
        }

        Span<byte> tmp = stackalloc byte[16];
        foreach (var e in elements)
        {
            switch (kind)
            {
                case ElementKind.Bool:
                    w.U8((byte)(e.A != 0 ? 1 : 0));
                    break;
                case ElementKind.Uuid:
                    BinaryPrimitives.WriteUInt64BigEndian(tmp, e.A);
                    BinaryPrimitives.WriteUInt64BigEndian(tmp[8..], e.B);
                    w.Bytes(tmp);
                    break;
                default:
                    w.U64(e.A);
                    break;
            }
        }

        w.Align8();
    }

    internal static ulong StringBytes(ElementKind kind, IReadOnlyList<ElementKey> elements)
    {
        if (kind != ElementKind.String)
        {
            return 0;
        }

        ulong n = 0;
        foreach (var e in elements)
        {
            n += (ulong)Encoding.UTF8.GetByteCount(e.S ?? string.Empty);
        }

        return n;
    }
}
