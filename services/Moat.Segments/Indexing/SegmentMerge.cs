using Moat.Segments.Segments;

namespace Moat.Segments.Indexing;

/// <summary>
/// Compaction merge (pure, no I/O): for every id the version with the highest sequence wins across
/// the inputs' rows and tombstones (on a tie, the later input). A winning tombstone removes the id;
/// it is kept in the output unless <paramref name="dropTombstones"/> (true only when the merge
/// covers the oldest live segment, so nothing older can hold the id).
/// </summary>
public static class SegmentMerge
{
    /// <summary>Merges segment contents given oldest first.</summary>
    public static FoldResult Merge(IEnumerable<FoldResult> inputsOldestFirst, bool dropTombstones)
    {
        ArgumentNullException.ThrowIfNull(inputsOldestFirst);
        var best = new Dictionary<DocKey, (FoldedDocument? Doc, ulong Seq)>();
        ulong min = 0;
        ulong max = 0;
        var idem = new List<IdempotencyRecord>();
        foreach (var input in inputsOldestFirst)
        {
            if (input.MaxSequence != 0)
            {
                min = min == 0 ? input.MinSequence : Math.Min(min, input.MinSequence);
                max = Math.Max(max, input.MaxSequence);
            }

            idem.AddRange(input.IdempotencyKeys);
            foreach (var d in input.Documents)
            {
                if (!best.TryGetValue(d.Key, out var cur) || d.Sequence >= cur.Seq)
                {
                    best[d.Key] = (d, d.Sequence);
                }
            }

            foreach (var t in input.Tombstones)
            {
                if (!best.TryGetValue(t.Key, out var cur) || t.Sequence >= cur.Seq)
                {
                    best[t.Key] = (null, t.Sequence);
                }
            }
        }

        var docs = new List<FoldedDocument>(best.Count);
        var tombs = new List<Tombstone>();
        foreach (var (key, (doc, seq)) in best)
        {
            if (doc is not null)
            {
                docs.Add(doc);
            }
            else if (!dropTombstones)
            {
                tombs.Add(new Tombstone(key, seq));
            }
        }

        docs.Sort((a, b) => a.Key.CompareTo(b.Key));
        tombs.Sort((a, b) => a.Key.CompareTo(b.Key));
        return new FoldResult(docs, tombs, min, max, idem);
    }

    /// <summary>Merges segments given oldest first.</summary>
    public static FoldResult Merge(IEnumerable<SegmentReader> segmentsOldestFirst, bool dropTombstones)
    {
        ArgumentNullException.ThrowIfNull(segmentsOldestFirst);
        return Merge(segmentsOldestFirst.Select(s => s.ReadAll()), dropTombstones);
    }
}
