namespace Moat.Search.Vectors;

/// <summary>Training parameters of an IVF-SQ8 index.</summary>
public sealed record IvfSq8Options
{
    public static readonly IvfSq8Options Default = new();

    /// <summary>Inverted lists; 0 = √rows (1 below 256 rows), at most 4096.</summary>
    public int Lists { get; init; }

    /// <summary>k-means iterations.</summary>
    public int Iterations { get; init; } = 10;

    /// <summary>Points k-means trains on; 0 = min(rows, 128 per list).</summary>
    public int SampleSize { get; init; }

    /// <summary>Rows sampled as queries to calibrate the probe count at build time; 0 = no calibration (the fixed rule of version 1).</summary>
    public int CalibrationQueries { get; init; } = 200;

    /// <summary>
    /// Share of the sampled queries' true nearest neighbours the calibrated probes must reach (averaged
    /// over the queries): a margin above the 0.95 recall@10 goal for the SQ8 first pass and sampling.
    /// </summary>
    public double CalibrationRecall { get; init; } = 0.98;

    /// <summary>Seed of centroid initialisation and sampling: the same data and seed give the same index.</summary>
    public ulong Seed { get; init; } = 0x6D6F6174_69766671UL;
}
