using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Moat.Search.Vectors;

namespace Moat.Search;

/// <summary>
/// One vector column of a segment: rows × dimensions elements row-major (f32 or f16; absent rows
/// are zeros and have their presence bit clear), the column's metric, and optionally an ANN index
/// over its rows. Without an index the column is searched exactly. A column read by ranges has a
/// <see cref="Residency"/>: its rows are checked with <see cref="Missing"/> before they are read.
/// </summary>
public sealed class VectorColumn
{
    private float[]? norms;

    public VectorColumn(int dimensions, VectorMetric metric, VectorElementKind elementKind, int rowCount, ReadOnlyMemory<byte> presence, ReadOnlyMemory<byte> data, IVectorIndex? index = null, IResidency? residency = null)
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
        Residency = residency;
    }

    public int Dimensions { get; }

    public VectorMetric Metric { get; }

    public VectorElementKind ElementKind { get; }

    public int RowCount { get; }

    public ReadOnlyMemory<byte> Presence { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>ANN index, or null (exact search).</summary>
    public IVectorIndex? Index { get; }

    /// <summary>Which rows are in memory; null when all are (a segment read whole).</summary>
    public IResidency? Residency { get; }

    private int RowBytes => Dimensions * (ElementKind == VectorElementKind.F16 ? 2 : 4);

    /// <summary>The bytes of row <paramref name="row"/>.</summary>
    public ReadOnlyMemory<byte> RowMemory(int row) => Data.Slice(row * RowBytes, RowBytes);

    /// <summary>Adds the rows of <paramref name="rows"/> that are not in memory to <paramref name="missing"/>; returns whether any was.</summary>
    public bool Missing(IEnumerable<int> rows, List<ReadOnlyMemory<byte>> missing)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(missing);
        if (Residency is null || Residency.Contains(Data))
        {
            return false; // every row is present: no per-row check
        }

        var before = missing.Count;
        foreach (var row in rows)
        {
            var bytes = RowMemory(row);
            if (!Residency.Contains(bytes))
            {
                missing.Add(bytes);
            }
        }

        return missing.Count > before;
    }

    /// <summary>L2 norm of one row (cosine); from the per-column cache only when every row is in memory.</summary>
    internal float NormOf(int row, ReadOnlySpan<float> values) => Residency is null ? Norms[row] : TensorPrimitives.Norm(values);

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

    /// <summary>A copy of a row as f32; null when absent. Throws <see cref="NotResidentException"/> when the row is not in memory.</summary>
    public float[]? GetVector(int row)
    {
        if (!IsPresent(row))
        {
            return null;
        }

        if (Residency is not null && !Residency.Contains(RowMemory(row)))
        {
            throw new NotResidentException([RowMemory(row)]);
        }

        var v = new float[Dimensions];
        Row(row, v).CopyTo(v);
        return v;
    }

    /// <summary>L2 norm of every row, computed once (cosine distance); only for columns held whole.</summary>
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
