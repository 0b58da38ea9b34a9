using System.Numerics;

namespace Moat.Search.Vectors;

/// <summary>
/// SQ8: each dimension mapped linearly from its trained [min, max] to a byte. A query is scored
/// against codes without decoding them: x̂·q = Σ min·q + Σ (scale·q)·code, so one float-weighted
/// sum of bytes per candidate (widened and multiplied with SIMD).
/// </summary>
internal static class ScalarQuantizer
{
    public static void Encode(ReadOnlySpan<float> v, ReadOnlySpan<float> mins, ReadOnlySpan<float> scales, Span<byte> code)
    {
        for (var i = 0; i < v.Length; i++)
        {
            var s = scales[i];
            var q = s > 0 ? MathF.Round((v[i] - mins[i]) / s) : 0f;
            code[i] = (byte)Math.Clamp(q, 0f, 255f);
        }
    }

    /// <summary>Squared norm of the decoded vector.</summary>
    public static float DecodedSquaredNorm(ReadOnlySpan<byte> code, ReadOnlySpan<float> mins, ReadOnlySpan<float> scales)
    {
        var sum = 0f;
        for (var i = 0; i < code.Length; i++)
        {
            var x = mins[i] + (scales[i] * code[i]);
            sum += x * x;
        }

        return sum;
    }

    /// <summary>Σ weights[i] · code[i].</summary>
    public static float WeightedSum(ReadOnlySpan<float> weights, ReadOnlySpan<byte> code)
    {
        var d = code.Length;
        var i = 0;
        var total = 0f;
        if (Vector.IsHardwareAccelerated && d >= Vector<byte>.Count)
        {
            var acc0 = Vector<float>.Zero;
            var acc1 = Vector<float>.Zero;
            var n = Vector<float>.Count;
            for (; i <= d - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                var bytes = new Vector<byte>(code[i..]);
                Vector.Widen(bytes, out var lo16, out var hi16);
                Vector.Widen(lo16, out var a, out var b);
                Vector.Widen(hi16, out var c, out var e);
                acc0 += Vector.ConvertToSingle(a) * new Vector<float>(weights[i..]);
                acc1 += Vector.ConvertToSingle(b) * new Vector<float>(weights[(i + n)..]);
                acc0 += Vector.ConvertToSingle(c) * new Vector<float>(weights[(i + (2 * n))..]);
                acc1 += Vector.ConvertToSingle(e) * new Vector<float>(weights[(i + (3 * n))..]);
            }

            total = Vector.Sum(acc0 + acc1);
        }

        for (; i < d; i++)
        {
            total += weights[i] * code[i];
        }

        return total;
    }
}
