using Moat.Search.Vectors;

/// <summary>
/// The seeded clustered vectors every mode uses: 100 gaussian centres N(0, spread²) in 128
/// dimensions, points N(centre, 1) (overlapping clusters), held-out queries from the same
/// clusters; "bucket" = row mod 1000 is uncorrelated with the clusters, for filters.
/// </summary>
internal sealed class VectorData
{
    public const int Dims = 128;
    public const int K = 10;

    /// <summary>Filter cases: bucket &lt; n passes n / 1000 of the rows.</summary>
    public static readonly (string Name, int Buckets)[] Cases = [("unfiltered", 1000), ("5%", 50), ("0.5%", 5)];

    public VectorData(int rows, int queryCount, double spread = 1.0)
    {
        Rows = rows;
        var rng = new SeededRandom(20240611);
        var centers = Enumerable.Range(0, 100).Select(_ => Enumerable.Range(0, Dims).Select(_ => (float)(rng.NextGaussian() * spread)).ToArray()).ToArray();
        void Sample(Span<float> v)
        {
            var c = centers[rng.Next(centers.Length)];
            for (var i = 0; i < Dims; i++)
            {
                v[i] = c[i] + (float)rng.NextGaussian();
            }
        }

        Data = new float[(long)rows * Dims];
        for (var i = 0; i < rows; i++)
        {
            Sample(Data.AsSpan(i * Dims, Dims));
        }

        Queries = new float[queryCount][];
        for (var q = 0; q < queryCount; q++)
        {
            Queries[q] = new float[Dims];
            Sample(Queries[q]);
        }
    }

    public int Rows { get; }

    public float[] Data { get; }

    public float[][] Queries { get; }

    public ReadOnlySpan<float> Row(int i) => Data.AsSpan(i * Dims, Dims);

    public static int Bucket(int row) => row % 1000;
}
