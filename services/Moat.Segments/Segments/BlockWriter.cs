using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Moat.Segments.Segments;

/// <summary>Little-endian writer of a segment's data area; every block ends padded to 8 bytes.</summary>
internal sealed class BlockWriter
{
    private readonly ArrayBufferWriter<byte> buffer = new(64 * 1024);

    public int Position => buffer.WrittenCount;

    public ReadOnlySpan<byte> Written => buffer.WrittenSpan;

    public void U8(byte v)
    {
        buffer.GetSpan(1)[0] = v;
        buffer.Advance(1);
    }

    public void U16(ushort v)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.GetSpan(2), v);
        buffer.Advance(2);
    }

    public void U32(uint v)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.GetSpan(4), v);
        buffer.Advance(4);
    }

    public void U64(ulong v)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.GetSpan(8), v);
        buffer.Advance(8);
    }

    public void Bytes(ReadOnlySpan<byte> bytes) => buffer.Write(bytes);

    public void Utf8(string s)
    {
        var n = Encoding.UTF8.GetByteCount(s);
        var span = buffer.GetSpan(n);
        Encoding.UTF8.GetBytes(s, span);
        buffer.Advance(n);
    }

    /// <summary>Writes a block of unmanaged values (the machine is little-endian, checked by the builder) and pads.</summary>
    public void Block<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        Bytes(MemoryMarshal.AsBytes(values));
        Align8();
    }

    public void Bitmap(ReadOnlySpan<bool> bits)
    {
        var n = (bits.Length + 7) / 8;
        var span = buffer.GetSpan(Math.Max(n, 1))[..n];
        span.Clear();
        for (var i = 0; i < bits.Length; i++)
        {
            if (bits[i])
            {
                span[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        buffer.Advance(n);
        Align8();
    }

    public void Align8()
    {
        var pad = (8 - (Position & 7)) & 7;
        if (pad > 0)
        {
            var span = buffer.GetSpan(pad)[..pad];
            span.Clear();
            buffer.Advance(pad);
        }
    }
}
