using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Moat.Search.Vectors;

namespace Moat.Search;

/// <summary>
/// One vector column of a segment: rows × dimensions elements row-major (f32 or f16; absent rows
/// are zeros and have their presence bit clear), the column's metric, and optionally an ANN index
/// over its rows. Without an index the column is searched exactly.
/// </summary>
public sealed class VectorColumn
{
    private float[]? norms;

    public VectorColumn(int dimensions, VectorMetric metric, VectorElementKind elementKind, int rowCount, ReadOnlyMemory<byte> presence, ReadOnlyMemory<byte> data, IVectorIndex? index = null)
    {
        if (dimensions <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), "A vector column has at least one dimension.");
        }

        var width = elementKind == VectorElementKind.F16 ? 2 : 4;
        if (presence.Length < RowBitmap.ByteLength(rowCount) || data.Length < (long)rowCount * dimensions * width)
        {
            throw new ArgumentException("Vector column parts are shorter than its rows.", nameof(data));
        }

        Dimensions = dimensions;
        Metric = metric;
        ElementKind = elementKind;
        RowCount = rowCount;
        Presence = presence;
        Data = data;
        Index = index;
    }

    public int Dimensions { get; }

    public VectorMetric Metric { get; }

    public VectorElementKind ElementKind { get; }

    public int RowCount { get; }

    public ReadOnlyMemory<byte> Presence { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>ANN index, or null (exact search).</summary>
    public IVectorIndex? Index { get; }

    public ReadOnlySpan<float> F32 => MemoryMarshal.Cast<byte, float>(Data.Span);

    public ReadOnlySpan<Half> F16 => MemoryMarshal.Cast<byte, Half>(Data.Span);

    public bool IsPresent(int row) => (Presence.Span[row >> 3] & (1 << (row & 7))) != 0;

    /// <summary>Row as f32 (a view for f32 columns; converted into <paramref name="scratch"/> for f16).</summary>
    public ReadOnlySpan<float> Row(int row, Span<float> scratch)
    {
        if (ElementKind == VectorElementKind.F32)
        {
            return F32.Slice(row * Dimensions, Dimensions);
        }

        TensorPrimitives.ConvertToSingle(F16.Slice(row * Dimensions, Dimensions), scratch);
        return scratch[..Dimensions];
    }

    /// <summary>A copy of a row as f32; null when absent.</summary>
    public float[]? GetVector(int row)
    {
        if (!IsPresent(row))
        {
            return null;
        }

        var v = new float[Dimensions];
        Row(row, v).CopyTo(v);
        return v;
    }

    /// <summary>L2 norm of every row, computed once (cosine distance).</summary>
    internal float[] Norms
    {
        get
        {
            if (norms is { } n)
            {
                return n;
            }

            n = new float[RowCount];
            var scratch = new float[Dimensions];
            for (var i = 0; i < RowCount; i++)
            {
                n[i] = TensorPrimitives.Norm(Row(i, scratch));
            }

            return norms = n;
        }
    }
}
