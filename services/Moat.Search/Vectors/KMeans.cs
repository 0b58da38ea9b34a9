using System.Numerics.Tensors;

namespace Moat.Search.Vectors;

/// <summary>
/// Lloyd's k-means, seeded: centroids start at distinct random points; an empty cluster takes
/// over half of the largest one (its centroid nudged apart). Assignment runs in parallel; it is
/// training work, never on the query path.
/// </summary>
internal static class KMeans
{
    /// <summary>Trains <paramref name="k"/> centroids (k × d, row-major) on <paramref name="n"/> points.</summary>
    public static float[] Train(float[] points, int n, int d, int k, int iterations, bool innerProduct, SeededRandom rng)
    {
        k = Math.Min(k, n);
        var centroids = new float[k * d];
        var pick = Enumerable.Range(0, n).ToArray();
        for (var i = 0; i < k; i++)
        {
            var j = i + rng.Next(n - i);
            (pick[i], pick[j]) = (pick[j], pick[i]);
            points.AsSpan(pick[i] * d, d).CopyTo(centroids.AsSpan(i * d, d));
        }

        var assign = new int[n];
        var counts = new int[k];
        var sums = new double[k * d];
        for (var it = 0; it < iterations; it++)
        {
            Assign(points, n, d, centroids, k, innerProduct, assign);
            Array.Clear(counts);
            Array.Clear(sums);
            for (var i = 0; i < n; i++)
            {
                var c = assign[i];
                counts[c]++;
                var p = points.AsSpan(i * d, d);
                var s = sums.AsSpan(c * d, d);
                for (var x = 0; x < d; x++)
                {
                    s[x] += p[x];
                }
            }

            for (var c = 0; c < k; c++)
            {
                if (counts[c] == 0)
                {
                    continue;
                }

                var s = sums.AsSpan(c * d, d);
                var dst = centroids.AsSpan(c * d, d);
                for (var x = 0; x < d; x++)
                {
                    dst[x] = (float)(s[x] / counts[c]);
                }
            }

            SplitEmpty(centroids, counts, k, d, rng);
        }

        return centroids;
    }

    /// <summary>Nearest centroid of every point (L2, or largest inner product).</summary>
    public static void Assign(float[] points, int n, int d, float[] centroids, int k, bool innerProduct, int[] assign)
    {
        var cnorm = new float[k];
        for (var c = 0; c < k; c++)
        {
            cnorm[c] = innerProduct ? 0f : TensorPrimitives.SumOfSquares(centroids.AsSpan(c * d, d));
        }

        Parallel.For(0, n, i =>
        {
            var p = points.AsSpan(i * d, d);
            assign[i] = Nearest(p, centroids, cnorm, k, d);
        });
    }

    /// <summary>argmin over c of ‖c‖² − 2 p·c (with zero norms: argmax p·c).</summary>
    public static int Nearest(ReadOnlySpan<float> p, float[] centroids, float[] cnorm, int k, int d)
    {
        var best = 0;
        var bestScore = float.PositiveInfinity;
        for (var c = 0; c < k; c++)
        {
            var score = cnorm[c] - (2f * TensorPrimitives.Dot(p, centroids.AsSpan(c * d, d)));
            if (score < bestScore)
            {
                bestScore = score;
                best = c;
            }
        }

        return best;
    }

    private static void SplitEmpty(float[] centroids, int[] counts, int k, int d, SeededRandom rng)
    {
        for (var c = 0; c < k; c++)
        {
            if (counts[c] != 0)
            {
                continue;
            }

            var big = 0;
            for (var j = 1; j < k; j++)
            {
                if (counts[j] > counts[big])
                {
                    big = j;
                }
            }

            if (counts[big] < 2)
            {
                return;
            }

            var src = centroids.AsSpan(big * d, d);
            var dst = centroids.AsSpan(c * d, d);
            for (var x = 0; x < d; x++)
            {
                var eps = (float)((rng.NextDouble() - 0.5) * 1e-3 * (Math.Abs(src[x]) + 1e-3));
                dst[x] = src[x] + eps;
                src[x] -= eps;
            }

            counts[c] = counts[big] / 2;
            counts[big] -= counts[c];
        }
    }
}
