using System.Numerics.Tensors;

namespace Moat.Search.Vectors;

/// <summary>
/// Measures at build time how many lists a query must probe: a fixed fraction of the lists is
/// plenty on well-separated clusters and far too few on weakly clustered or uniform data, so the
/// index finds out on its own rows. Sampled rows serve as queries; their true k nearest (excluding
/// themselves) are found by brute force, and for every probe count p the share of those neighbours
/// that lie in the query's p nearest lists is averaged. The answer is the smallest p whose average
/// reaches the target. Training work only, never on the query path.
/// </summary>
internal static class ProbeCalibration
{
    /// <summary>Neighbour counts calibrated: probes for other k are interpolated on log k.</summary>
    public const int SmallK = 10;

    public const int LargeK = 100;

    /// <summary>
    /// Probes reaching <paramref name="target"/> coverage of the true 10 and 100 nearest.
    /// <paramref name="points"/> are the indexed vectors (normalised for cosine),
    /// <paramref name="assign"/> their lists.
    /// </summary>
    public static (int Small, int Large) Calibrate(float[] points, int n, int d, float[] centroids, int lists, int[] assign, bool innerProduct, int queries, double target, SeededRandom rng)
    {
        if (lists <= 1 || n <= 1)
        {
            return (1, 1);
        }

        var s = Math.Min(queries, n);
        var sample = new int[s];
        var pick = Enumerable.Range(0, n).ToArray();
        for (var i = 0; i < s; i++)
        {
            var j = i + rng.Next(n - i);
            (pick[i], pick[j]) = (pick[j], pick[i]);
            sample[i] = pick[i];
        }

        var kLarge = Math.Min(LargeK, n - 1);
        var kSmall = Math.Min(SmallK, kLarge);
        var cnorm = new float[lists];
        for (var l = 0; l < lists; l++)
        {
            cnorm[l] = innerProduct ? 0f : TensorPrimitives.SumOfSquares(centroids.AsSpan(l * d, d));
        }

        // Per query: rank (in probe order) of the list holding each of its true neighbours.
        var ranks = new int[s * kLarge];
        Parallel.For(0, s, () => (Heap: new NeighborHeap(kLarge), Found: new Neighbor[kLarge], Dist: new float[lists], Order: new int[lists], Rank: new int[lists]), (qi, _, local) =>
        {
            var row = sample[qi];
            var q = points.AsSpan(row * d, d);
            local.Heap.Clear();
            for (var i = 0; i < n; i++)
            {
                if (i != row)
                {
                    var p = points.AsSpan(i * d, d);
                    local.Heap.Push(i, innerProduct ? -TensorPrimitives.Dot(q, p) : Distance.SquaredEuclidean(q, p));
                }
            }

            var found = local.Heap.Drain(local.Found);
            for (var l = 0; l < lists; l++)
            {
                var dot = TensorPrimitives.Dot(q, centroids.AsSpan(l * d, d));
                local.Dist[l] = innerProduct ? -dot : cnorm[l] - (2 * dot);
                local.Order[l] = l;
            }

            // The same order as IvfSq8Index.Search ranks the lists.
            local.Dist.AsSpan().Sort(local.Order.AsSpan());
            for (var r = 0; r < lists; r++)
            {
                local.Rank[local.Order[r]] = r;
            }

            for (var j = 0; j < found; j++)
            {
                ranks[(qi * kLarge) + j] = local.Rank[assign[local.Found[j].Row]];
            }

            return local;
        }, _ => { });

        var small = Probes(ranks, s, kLarge, kSmall, lists, target);
        return (small, Math.Max(small, Probes(ranks, s, kLarge, kLarge, lists, target)));
    }

    private static int Probes(int[] ranks, int s, int stride, int k, int lists, double target)
    {
        var hist = new long[lists];
        for (var qi = 0; qi < s; qi++)
        {
            for (var j = 0; j < k; j++)
            {
                hist[ranks[(qi * stride) + j]]++;
            }
        }

        var need = target * s * k;
        long covered = 0;
        for (var p = 0; p < lists; p++)
        {
            covered += hist[p];
            if (covered >= need)
            {
                return p + 1;
            }
        }

        return lists;
    }
}
