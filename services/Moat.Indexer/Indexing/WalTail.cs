using Moat.Internal.V1;
using Moat.Storage.ObjectStore;
using Moat.Wal;

namespace Moat.Indexer.Indexing;

/// <summary>A contiguous run of WAL entries after a sequence.</summary>
/// <param name="Entries">Entries after + 1, after + 2, ... in order.</param>
/// <param name="MoreRemaining">True when a bound stopped the run before the end of the WAL.</param>
/// <param name="GapAfter">When the WAL skips a sequence, the last sequence before the gap; else null.</param>
public sealed record WalRun(IReadOnlyList<WalEntry> Entries, bool MoreRemaining, long? GapAfter)
{
    /// <summary>The last sequence of the run, or <paramref name="after"/> when it is empty.</summary>
    public long LastSequence(long after) => Entries.Count == 0 ? after : (long)Entries[^1].Sequence;
}

/// <summary>
/// Reads the WAL past a watermark as a dense run: sequence after + 1, after + 2, ... and stops at the
/// first missing sequence (the WAL is dense; a gap means something is wrong, and folding past it would
/// skip an entry forever), or at the bounds.
/// </summary>
internal static class WalTail
{
    /// <param name="callTimeout">Time limit of the listing and of each entry's read.</param>
    public static async Task<WalRun> ReadAsync(IObjectStore store, WalReader reader, string namespaceId, long after, int maxEntries, long maxBytes, TimeSpan callTimeout, CancellationToken cancellationToken)
    {
        var prefix = WalPaths.Prefix(namespaceId);
        var startAfter = after > 0 ? Moat.Storage.StoragePaths.WalEntry(namespaceId, after) : null;
        var sequences = new List<long>();
        var bytes = 0L;
        var more = false;
        long? gapAfter = null;
        using (var listTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            listTimeout.CancelAfter(callTimeout);
            await foreach (var item in store.ListAsync(prefix, startAfter, listTimeout.Token).ConfigureAwait(false))
            {
                if (!WalPaths.TryParseSequence(item.Key, prefix, out var sequence))
                {
                    continue;
                }

                var expected = after + sequences.Count + 1;
                if (sequence != expected)
                {
                    gapAfter = expected - 1;
                    break;
                }

                if (sequences.Count >= maxEntries || (sequences.Count > 0 && bytes + item.Length > maxBytes))
                {
                    more = true;
                    break;
                }

                sequences.Add(sequence);
                bytes += item.Length;
            }
        }

        var entries = new List<WalEntry>(sequences.Count);
        foreach (var sequence in sequences)
        {
            WalEntry? entry;
            using (var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                readTimeout.CancelAfter(callTimeout);
                entry = await reader.ReadEntryAsync(namespaceId, sequence, readTimeout.Token).ConfigureAwait(false);
            }

            if (entry is null)
            {
                // Removed since it was listed: only folded entries are collected, so a reader that
                // sees this is behind a newer manifest. Stop here; the caller re-plans.
                gapAfter = sequence - 1;
                more = false;
                break;
            }

            entries.Add(entry);
        }

        return new WalRun(entries, more, gapAfter);
    }

    /// <summary>
    /// Reads after + 1, after + 2, ... by GET, without listing, up to the first absent sequence.
    /// Writers create n + 2 only once n + 1 exists, so an absent n + 1 means nothing past n has been
    /// written — provided n + 1 cannot have been collected: the caller must pass an
    /// <paramref name="after"/> at or past the watermark of a manifest that was the latest during the
    /// call (GC deletes only entries at or below the lowest watermark of the protected manifests: the
    /// latest and those superseded less than the reader grace ago). A damaged WAL's gap looks like
    /// its end here.
    /// </summary>
    /// <param name="callTimeout">Time limit of each entry's read.</param>
    public static async Task<WalRun> ProbeAsync(WalReader reader, string namespaceId, long after, TimeSpan callTimeout, CancellationToken cancellationToken)
    {
        var entries = new List<WalEntry>();
        for (var sequence = after + 1; ; sequence++)
        {
            WalEntry? entry;
            using (var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                readTimeout.CancelAfter(callTimeout);
                entry = await reader.ReadEntryAsync(namespaceId, sequence, readTimeout.Token).ConfigureAwait(false);
            }

            if (entry is null)
            {
                return new WalRun(entries, MoreRemaining: false, GapAfter: null);
            }

            entries.Add(entry);
        }
    }
}
