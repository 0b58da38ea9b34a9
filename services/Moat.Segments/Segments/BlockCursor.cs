using System.Buffers.Binary;

namespace Moat.Segments.Segments;

/// <summary>Sequential little-endian reader of one section, bounds-checked; blocks are padded to 8 bytes.</summary>
internal struct BlockCursor(ReadOnlyMemory<byte> section)
{
    private int pos;

    public readonly ReadOnlyMemory<byte> Section => section;

    public byte U8() => Take(1).Span[0];

    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2).Span);

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4).Span);

    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8).Span);

    /// <summary>The next <paramref name="length"/> bytes, then skips the padding to 8.</summary>
    public ReadOnlyMemory<byte> Block(ulong length)
    {
        if (length > int.MaxValue)
        {
            throw new SegmentFormatException("Segment block too large.");
        }

        var m = Take((int)length);
        var pad = (8 - (pos & 7)) & 7;
        if (pad > 0 && pos + pad <= section.Length)
        {
            pos += pad;
        }

        return m;
    }

    private ReadOnlyMemory<byte> Take(int n)
    {
        if (n < 0 || pos + n > section.Length)
        {
            throw new SegmentFormatException($"Segment section truncated: needs {n} bytes at {pos}, has {section.Length}.");
        }

        var m = section.Slice(pos, n);
        pos += n;
        return m;
    }
}
