using System.Runtime.InteropServices;
using Moat.V1;

namespace Moat.Segments.Segments;

/// <summary>
/// One vector column: header u8 element type (1 = f32, 2 = f16), 3 zero bytes, u32 dimensions,
/// u64 rows; a presence bitmap; then rows x dimensions elements row-major, contiguous (absent rows
/// are zeros). The spans are what a vector engine scans.
/// </summary>
public sealed class VectorColumnData
{
    private readonly ReadOnlyMemory<byte> presence;
    private readonly ReadOnlyMemory<byte> data;

    private VectorColumnData(VectorElementType type, int dims, int rows, ReadOnlyMemory<byte> presence, ReadOnlyMemory<byte> data)
    {
        ElementType = type;
        Dimensions = dims;
        RowCount = rows;
        this.presence = presence;
        this.data = data;
    }

    public VectorElementType ElementType { get; }

    public int Dimensions { get; }

    public int RowCount { get; }

    internal ReadOnlyMemory<byte> PresenceMemory => presence;

    internal ReadOnlyMemory<byte> DataMemory => data;

    /// <summary>All rows, row-major (f32 columns).</summary>
    public ReadOnlySpan<float> F32 => ElementType == VectorElementType.F32 ? MemoryMarshal.Cast<byte, float>(data.Span) : throw new InvalidOperationException("Not an f32 column.");

    /// <summary>All rows, row-major (f16 columns).</summary>
    public ReadOnlySpan<Half> F16 => ElementType == VectorElementType.F16 ? MemoryMarshal.Cast<byte, Half>(data.Span) : throw new InvalidOperationException("Not an f16 column.");

    public bool IsPresent(int row) => Bitmap.Get(presence.Span, row);

    /// <summary>Row <paramref name="row"/> as f32 into <paramref name="destination"/> (converting f16).</summary>
    public void CopyRow(int row, Span<float> destination)
    {
        if (ElementType == VectorElementType.F32)
        {
            F32.Slice(row * Dimensions, Dimensions).CopyTo(destination);
            return;
        }

        var src = F16.Slice(row * Dimensions, Dimensions);
        for (var i = 0; i < src.Length; i++)
        {
            destination[i] = (float)src[i];
        }
    }

    /// <summary>Row as the public message, in the column's element type; null when absent.</summary>
    public Vector? GetVector(int row)
    {
        if (!IsPresent(row))
        {
            return null;
        }

        var v = new Vector();
        if (ElementType == VectorElementType.F32)
        {
            v.Values.AddRange(F32.Slice(row * Dimensions, Dimensions).ToArray());
        }
        else
        {
            v.F16 = Google.Protobuf.ByteString.CopyFrom(data.Span.Slice(row * Dimensions * 2, Dimensions * 2));
        }

        return v;
    }

    /// <summary>Bytes of the header that <see cref="PrefixLength"/> reads.</summary>
    public const int HeaderLength = 16;

    /// <summary>
    /// Bytes from the start of the section to its rows (header and presence bitmap): what must be in
    /// memory before the column is parsed when its rows are read by ranges.
    /// </summary>
    public static long PrefixLength(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderLength)
        {
            throw new SegmentFormatException("Vector column header truncated.");
        }

        var rows = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        if (rows > int.MaxValue)
        {
            throw new SegmentFormatException("Malformed vector column header.");
        }

        return HeaderLength + SegmentLayout.Align8(Bitmap.ByteLength((int)rows));
    }

    public static VectorColumnData Parse(ReadOnlyMemory<byte> section)
    {
        var c = new BlockCursor(section);
        var type = (VectorElementType)c.U8();
        c.U8();
        c.U16();
        var dims = c.U32();
        var rows = c.U64();
        if (type is not (VectorElementType.F32 or VectorElementType.F16) || rows > int.MaxValue || dims > 65536)
        {
            throw new SegmentFormatException("Malformed vector column header.");
        }

        var presence = c.Block((ulong)Bitmap.ByteLength((int)rows));
        var data = c.Block(rows * dims * (type == VectorElementType.F32 ? 4UL : 2UL));
        return new VectorColumnData(type, (int)dims, (int)rows, presence, data);
    }

    internal static void Write(BlockWriter w, VectorElementType type, int dims, IReadOnlyList<Vector?> rows)
    {
        w.U8((byte)type);
        w.U8(0);
        w.U16(0);
        w.U32((uint)dims);
        w.U64((ulong)rows.Count);
        var present = new bool[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            present[i] = rows[i] is not null;
        }

        w.Bitmap(present);
        var f32 = new float[dims];
        var f16 = new Half[dims];
        foreach (var v in rows)
        {
            if (v is null)
            {
                Array.Clear(f32);
                Array.Clear(f16);
            }
            else if (v.F16.Length > 0)
            {
                if (v.F16.Length != dims * 2)
                {
                    throw new SegmentFormatException($"An f16 vector has {v.F16.Length / 2} elements; the column has {dims} dimensions.");
                }

                MemoryMarshal.Cast<byte, Half>(v.F16.Span).CopyTo(f16);
                for (var i = 0; i < dims; i++)
                {
                    f32[i] = (float)f16[i];
                }
            }
            else
            {
                if (v.Values.Count != dims)
                {
                    throw new SegmentFormatException($"A vector has {v.Values.Count} elements; the column has {dims} dimensions.");
                }

                for (var i = 0; i < dims; i++)
                {
                    f32[i] = v.Values[i];
                    f16[i] = (Half)v.Values[i];
                }
            }

            if (type == VectorElementType.F32)
            {
                w.Bytes(MemoryMarshal.AsBytes(f32.AsSpan()));
            }
            else
            {
                w.Bytes(MemoryMarshal.AsBytes(f16.AsSpan()));
            }
        }

        w.Align8();
    }
}
