using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Moat.Search;

/// <summary>Lays out values as an <see cref="ElementBlock"/> (the segment format's value block), in memory.</summary>
internal static class ElementBlockWriter
{
    public static ElementBlock Write(ValueKind kind, IReadOnlyList<ScalarValue> values)
    {
        if (kind == ValueKind.String)
        {
            var offsets = new uint[values.Count + 1];
            var total = 0;
            for (var i = 0; i < values.Count; i++)
            {
                total += Encoding.UTF8.GetByteCount(values[i].AsString);
                offsets[i + 1] = (uint)total;
            }

            var bytes = new byte[total];
            var pos = 0;
            foreach (var v in values)
            {
                pos += Encoding.UTF8.GetBytes(v.AsString, bytes.AsSpan(pos));
            }

            return ElementBlock.Strings(values.Count, MemoryMarshal.AsBytes(offsets.AsSpan()).ToArray(), bytes);
        }

        var width = ElementBlock.Width(kind);
        var data = new byte[values.Count * width];
        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i];
            var dst = data.AsSpan(i * width, width);
            switch (kind)
            {
                case ValueKind.Bool:
                    dst[0] = v.AsBool ? (byte)1 : (byte)0;
                    break;
                case ValueKind.Uuid:
                    BinaryPrimitives.WriteUInt64BigEndian(dst, v.UuidHi);
                    BinaryPrimitives.WriteUInt64BigEndian(dst[8..], v.UuidLo);
                    break;
                default:
                    BinaryPrimitives.WriteUInt64LittleEndian(dst, v.Bits);
                    break;
            }
        }

        return ElementBlock.Fixed(kind, values.Count, data);
    }

    public static byte[] Bitmap(IReadOnlyList<bool> bits)
    {
        var b = new byte[RowBitmap.ByteLength(bits.Count)];
        for (var i = 0; i < bits.Count; i++)
        {
            if (bits[i])
            {
                b[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return b;
    }

    public static byte[] U32(IReadOnlyList<uint> values)
    {
        var b = new byte[values.Count * 4];
        for (var i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(i * 4), values[i]);
        }

        return b;
    }
}
