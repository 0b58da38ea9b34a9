using Moat.Indexer.Configuration;
using Moat.Internal.V1;

namespace Moat.Indexer.Compaction;

/// <summary>
/// Which segments one compaction merges: a contiguous run <c>[Start, Start + Count)</c> of the
/// manifest's segments (oldest first). Contiguous, so the merged segment can take the run's place
/// without reordering versions. Tombstones are dropped only when the run starts at the oldest segment.
/// </summary>
public sealed record CompactionPlan(int Start, int Count)
{
    /// <summary>True when the run includes the oldest live segment: nothing older can hold a deleted id.</summary>
    public bool DropTombstones => Start == 0;

    /// <summary>
    /// The plan for <paramref name="manifest"/>, or null when it has at most
    /// <see cref="IndexerOptions.MaxSmallSegments"/> small segments. Picks the longest run of
    /// consecutive small segments (the oldest on a tie), from its start, within
    /// <see cref="IndexerOptions.MaxMergeInputs"/> and <see cref="IndexerOptions.MaxMergeBytes"/>; when
    /// small segments sit only alone between large ones, merges the oldest small one with a neighbour.
    /// </summary>
    public static CompactionPlan? For(Manifest manifest, IndexerOptions options)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        var segments = manifest.Segments;
        bool Small(int i) => segments[i].ByteSize <= (ulong)options.SmallSegmentBytes;
        var smallCount = Enumerable.Range(0, segments.Count).Count(Small);
        if (smallCount <= options.MaxSmallSegments)
        {
            return null;
        }

        var (bestStart, bestLength) = (-1, 0);
        for (var i = 0; i < segments.Count;)
        {
            if (!Small(i))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < segments.Count && Small(i))
            {
                i++;
            }

            if (i - start > bestLength)
            {
                (bestStart, bestLength) = (start, i - start);
            }
        }

        if (bestLength >= 2)
        {
            return Capped(segments, bestStart, bestLength, options);
        }

        // Only lone small segments: merge the oldest with its older neighbour (or newer, at the start).
        var lone = Enumerable.Range(0, segments.Count).First(Small);
        var from = lone > 0 ? lone - 1 : lone;
        return Capped(segments, from, Math.Min(2, segments.Count - from), options);
    }

    private static CompactionPlan? Capped(IList<ManifestSegment> segments, int start, int length, IndexerOptions options)
    {
        var count = 0;
        ulong bytes = 0;
        while (count < length && count < options.MaxMergeInputs)
        {
            var next = segments[start + count].ByteSize;
            if (count > 0 && bytes + next > (ulong)options.MaxMergeBytes)
            {
                break;
            }

            bytes += next;
            count++;
        }

        return count >= 2 ? new CompactionPlan(start, count) : null;
    }
}
