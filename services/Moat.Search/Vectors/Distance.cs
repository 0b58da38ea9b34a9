using System.Numerics;
using System.Numerics.Tensors;

namespace Moat.Search.Vectors;

/// <summary>The metrics as distances (lower is closer), SIMD through TensorPrimitives.</summary>
public static class Distance
{
    /// <summary>Distance between <paramref name="query"/> and <paramref name="row"/>; <paramref name="queryNorm"/> and <paramref name="rowNorm"/> are L2 norms (cosine only).</summary>
    public static float Compute(VectorMetric metric, ReadOnlySpan<float> query, ReadOnlySpan<float> row, float queryNorm, float rowNorm)
    {
        switch (metric)
        {
            case VectorMetric.Euclidean:
                return SquaredEuclidean(query, row);

            case VectorMetric.Dot:
                return -TensorPrimitives.Dot(query, row);
            default:
                {
                    var denominator = queryNorm * rowNorm;
                    return denominator == 0 ? 1f : 1f - (TensorPrimitives.Dot(query, row) / denominator);
                }
        }
    }

    /// <summary>Σ (a − b)², SIMD (TensorPrimitives.Distance takes a square root we would undo, losing precision).</summary>
    public static float SquaredEuclidean(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var n = a.Length;
        var i = 0;
        var sum = 0f;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var d = new Vector<float>(a[i..]) - new Vector<float>(b[i..]);
                acc += d * d;
            }

            sum = Vector.Sum(acc);
        }

        for (; i < n; i++)
        {
            var d = a[i] - b[i];
            sum += d * d;
        }

        return sum;
    }

    /// <summary>Distance by the definition, for references and tests (no precomputed norms).</summary>
    public static float Compute(VectorMetric metric, ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        Compute(metric, a, b, TensorPrimitives.Norm(a), TensorPrimitives.Norm(b));
}
