using Moat.V1;

namespace Moat.Query.Snapshots;

/// <summary>What one read touched, for the response's performance report.</summary>
internal sealed class ReadStats
{
    /// <summary>The view was loaded from the store with nothing in memory before (a cold start or after eviction).</summary>
    public bool FirstLoad { get; set; }

    public int SegmentsLoaded { get; set; }

    public int SegmentsFromDisk { get; set; }

    public int SegmentsReused { get; set; }

    public CacheTemperature Temperature => SegmentsLoaded == 0
        ? FirstLoad ? CacheTemperature.Cold : CacheTemperature.Hot
        : SegmentsFromDisk >= SegmentsLoaded ? CacheTemperature.Warm : CacheTemperature.Cold;

    public double HitRatio
    {
        get
        {
            var total = SegmentsLoaded + SegmentsReused;
            return total == 0 ? 1.0 : (double)(SegmentsReused + SegmentsFromDisk) / total;
        }
    }
}
