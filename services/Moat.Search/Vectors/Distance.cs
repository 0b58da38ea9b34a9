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
                {
                    var d = TensorPrimitives.Distance(query, row);
                    return d * d;
                }

            case VectorMetric.Dot:
                return -TensorPrimitives.Dot(query, row);
            default:
                {
                    var denominator = queryNorm * rowNorm;
                    return denominator == 0 ? 1f : 1f - (TensorPrimitives.Dot(query, row) / denominator);
                }
        }
    }

    /// <summary>Distance by the definition, for references and tests (no precomputed norms).</summary>
    public static float Compute(VectorMetric metric, ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        Compute(metric, a, b, TensorPrimitives.Norm(a), TensorPrimitives.Norm(b));
}
