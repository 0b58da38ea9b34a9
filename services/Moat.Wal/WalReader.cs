using System.Runtime.CompilerServices;
using Moat.Internal.V1;
using Moat.Segments.Wal;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;

namespace Moat.Wal;

/// <summary>
/// Reads a namespace's WAL entries (recovery, the indexer, strong reads): list, get, unseal, decode.
/// Every entry is checked to name the namespace and sequence its key does.
/// </summary>
public sealed class WalReader
{
    private readonly IObjectStore _store;
    private readonly IWalKeySource _keys;

    public WalReader(IObjectStore store, IWalKeySource keys)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        _store = store;
        _keys = keys;
    }

    /// <summary>The entries with sequence ≥ <paramref name="fromSequence"/>, in sequence order.</summary>
    public async IAsyncEnumerable<WalEntry> ReadAsync(string namespaceId, long fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespaceId);
        ArgumentOutOfRangeException.ThrowIfNegative(fromSequence);
        var prefix = WalPaths.Prefix(namespaceId);
        var startAfter = fromSequence > 1 ? StoragePaths.WalEntry(namespaceId, fromSequence - 1) : null;
        await foreach (var item in _store.ListAsync(prefix, startAfter, cancellationToken).ConfigureAwait(false))
        {
            if (!WalPaths.TryParseSequence(item.Key, prefix, out var sequence))
            {
                continue;
            }

            var entry = await ReadEntryAsync(namespaceId, sequence, cancellationToken).ConfigureAwait(false);
            if (entry is not null)
            {
                yield return entry; // else removed since it was listed (folded and collected)
            }
        }
    }

    /// <summary>The entry at <paramref name="sequence"/>, or null when there is none.</summary>
    public async Task<WalEntry?> ReadEntryAsync(string namespaceId, long sequence, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespaceId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequence);
        var key = StoragePaths.WalEntry(namespaceId, sequence);
        var stored = await _store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        var plaintext = await SealedObjectReader.UnsealAsync(stored.Data, key, _keys.DataKeys(namespaceId), cancellationToken).ConfigureAwait(false);
        var entry = WalEntryCodec.Decode(plaintext);
        if (entry.NamespaceId != namespaceId || entry.Sequence != (ulong)sequence)
        {
            throw new WalCorruptException($"The WAL object '{key}' holds the entry of namespace '{entry.NamespaceId}' at sequence {entry.Sequence}.");
        }

        return entry;
    }

    /// <summary>The highest sequence in the namespace's WAL, or 0 when it is empty.</summary>
    public async Task<long> GetLastSequenceAsync(string namespaceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespaceId);
        var prefix = WalPaths.Prefix(namespaceId);
        long last = 0;
        await foreach (var item in _store.ListAsync(prefix, null, cancellationToken).ConfigureAwait(false))
        {
            if (WalPaths.TryParseSequence(item.Key, prefix, out var sequence))
            {
                last = sequence;
            }
        }

        return last;
    }
}
