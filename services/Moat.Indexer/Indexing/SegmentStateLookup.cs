using Moat.Segments;
using Moat.Segments.Indexing;
using Moat.Segments.Segments;

namespace Moat.Indexer.Indexing;

/// <summary>
/// The logical state of a set of live segments for one id: across every segment the version (row or
/// tombstone) with the highest sequence wins, as in <see cref="SegmentMerge"/>; a winning tombstone
/// (or no version at all) means the id does not exist. This is <see cref="WalFold"/>'s base lookup,
/// so a patch of a row that lives in an older segment becomes a full row in the new one.
/// </summary>
public sealed class SegmentStateLookup
{
    private readonly IReadOnlyList<SegmentReader> _segments;

    /// <param name="segmentsOldestFirst">The manifest's segments, oldest first.</param>
    public SegmentStateLookup(IReadOnlyList<SegmentReader> segmentsOldestFirst)
    {
        ArgumentNullException.ThrowIfNull(segmentsOldestFirst);
        _segments = segmentsOldestFirst;
    }

    /// <summary>The live document with <paramref name="key"/>, or null when it does not exist.</summary>
    public FoldedDocument? Find(DocKey key)
    {
        SegmentReader? best = null;
        var bestRow = -1;
        ulong bestSequence = 0;
        var found = false;

        // Newest first: on equal sequences (never expected) the newer segment wins, as in the merge.
        for (var i = _segments.Count - 1; i >= 0; i--)
        {
            var segment = _segments[i];
            var row = segment.Ids.Find(key);
            if (row >= 0)
            {
                var sequence = segment.RowSequences[row];
                if (!found || sequence > bestSequence)
                {
                    (best, bestRow, bestSequence, found) = (segment, row, sequence, true);
                }

                continue;
            }

            var tombstones = segment.Tombstones;
            var t = tombstones.Ids.Find(key);
            if (t >= 0)
            {
                var sequence = tombstones.Sequences[t];
                if (!found || sequence > bestSequence)
                {
                    (best, bestRow, bestSequence, found) = (null, -1, sequence, true);
                }
            }
        }

        return best is null ? null : new FoldedDocument(key, best.ReadDocument(bestRow), bestSequence);
    }
}
