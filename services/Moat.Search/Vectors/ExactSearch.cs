using System.Buffers;
using System.Numerics.Tensors;

namespace Moat.Search.Vectors;

/// <summary>Exhaustive k nearest neighbours over the accepted rows of a column.</summary>
public static class ExactSearch
{
    /// <summary>Pushes every accepted row with a vector into <paramref name="heap"/>; returns the rows scored.</summary>
    public static int Search(VectorColumn column, ReadOnlySpan<float> query, RowBitmap? accept, NeighborHeap heap)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(heap);
        var metric = column.Metric;
        if (column.Residency is not null)
        {
            RequireRows(column, accept);
        }

        var cosine = metric == VectorMetric.Cosine;
        var qn = cosine ? TensorPrimitives.Norm(query) : 0f;
        var scratch = column.ElementKind == VectorElementKind.F16 ? ArrayPool<float>.Shared.Rent(column.Dimensions) : null;
        var scored = 0;
        try
        {
            var rows = column.RowCount;
            for (var row = accept is null ? 0 : accept.NextSet(0); row >= 0 && row < rows; row = accept is null ? row + 1 : accept.NextSet(row + 1))
            {
                if (!column.IsPresent(row))
                {
                    continue;
                }

                var v = column.Row(row, scratch);
                heap.Push(row, Distance.Compute(metric, query, v, qn, cosine ? column.NormOf(row, v) : 0f));
                scored++;
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }

        return scored;
    }

    /// <summary>Throws <see cref="NotResidentException"/> naming every accepted row with a vector that is not in memory.</summary>
    private static void RequireRows(VectorColumn column, RowBitmap? accept)
    {
        var missing = new List<ReadOnlyMemory<byte>>();
        if (column.Missing(Accepted(column, accept), missing))
        {
            throw new NotResidentException(missing);
        }
    }

    private static IEnumerable<int> Accepted(VectorColumn column, RowBitmap? accept)
    {
        for (var row = accept is null ? 0 : accept.NextSet(0); row >= 0 && row < column.RowCount; row = accept is null ? row + 1 : accept.NextSet(row + 1))
        {
            if (column.IsPresent(row))
            {
                yield return row;
            }
        }
    }
}
