using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moat.Indexer.Configuration;
using Moat.Indexer.Manifests;
using Moat.Internal.V1;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Wal;

namespace Moat.Indexer.Collection;

/// <summary>
/// Garbage collection of one namespace (docs/indexer.md), driven by a <see cref="TimeProvider"/>
/// against the store's LastModified times (and a manifest's own created_at, whichever is later). A
/// manifest is <em>protected</em> while it is the latest or was superseded less than
/// <see cref="IndexerOptions.ReaderGrace"/> ago (a reader that loaded it may still be reading). Then:
/// <list type="bullet">
/// <item>a segment is deleted when no protected manifest names it and it was written more than the
/// grace ago (so a segment an indexer is about to publish is never taken);</item>
/// <item>a WAL entry is deleted when its sequence is at or below the lowest watermark of the protected
/// manifests, it was written more than <see cref="IndexerOptions.WalRetention"/> ago, and it is not
/// the newest entry (writers find the next sequence after the newest one);</item>
/// <item>a manifest is deleted when it is not protected and not among the newest
/// <see cref="IndexerOptions.KeepManifests"/>; oldest first, so versions stay a suffix of the chain.</item>
/// </list>
/// </summary>
public sealed class NamespaceCollector
{
    private readonly IObjectStore _store;
    private readonly ManifestStore _manifests;
    private readonly IndexerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public NamespaceCollector(IObjectStore store, ManifestStore manifests, IndexerOptions options, TimeProvider? timeProvider = null, ILogger<NamespaceCollector>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(manifests);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _store = store;
        _manifests = manifests;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>One GC pass over the namespace (at most <see cref="IndexerOptions.MaxDeletesPerPass"/> deletes).</summary>
    public async Task<CollectionResult> CollectAsync(string namespaceId, CancellationToken cancellationToken)
    {
        ManifestStore.CheckNamespace(namespaceId);
        var now = _time.GetUtcNow();
        var graceStart = now - _options.ReaderGrace;
        var budget = _options.MaxDeletesPerPass;

        var listed = await _manifests.ListAsync(namespaceId, cancellationToken).ConfigureAwait(false);

        // Newest first: the latest is protected; an older one while its successor is younger than
        // the grace. Successors of older manifests are older still, so the first unprotected one ends it.
        var protectedVersions = new HashSet<long>();
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var walBound = long.MaxValue;
        DateTimeOffset? successorWritten = null;
        for (var i = listed.Count - 1; i >= 0; i--)
        {
            if (successorWritten is { } superseded && superseded <= graceStart)
            {
                break;
            }

            var manifest = await _manifests.ReadAsync(namespaceId, listed[i].Version, KeyPurpose.Gc, cancellationToken).ConfigureAwait(false);
            if (manifest is null)
            {
                break; // collected by another GC since the list: so is everything older
            }

            protectedVersions.Add(listed[i].Version);
            walBound = Math.Min(walBound, (long)manifest.WalWatermark);
            foreach (var segment in manifest.Segments)
            {
                referenced.Add(segment.SegmentId);
            }

            // When this one was written superseded the next older: the later of the store's stamp and
            // the writer's, so neither clock running behind shortens a reader's grace.
            var created = manifest.CreatedAt?.ToDateTimeOffset() ?? listed[i].LastModified;
            successorWritten = created > listed[i].LastModified ? created : listed[i].LastModified;
        }

        if (walBound == long.MaxValue)
        {
            walBound = 0; // no manifest: nothing is folded
        }

        var segments = await DeleteSegmentsAsync(namespaceId, referenced, graceStart, budget, cancellationToken).ConfigureAwait(false);
        budget -= segments;
        var wal = await DeleteWalAsync(namespaceId, walBound, now - _options.WalRetention, budget, cancellationToken).ConfigureAwait(false);
        budget -= wal;
        var manifests = 0;
        for (var i = 0; i < listed.Count - _options.KeepManifests && budget > 0; i++)
        {
            if (protectedVersions.Contains(listed[i].Version))
            {
                break; // oldest first: the versions left stay one contiguous suffix of the chain
            }

            await _manifests.DeleteAsync(namespaceId, listed[i].Version, cancellationToken).ConfigureAwait(false);
            manifests++;
            budget--;
        }

        var result = new CollectionResult(wal, segments, manifests);
        if (result.Total > 0)
        {
            IndexerLog.Collected(_logger, namespaceId, wal, segments, manifests);
        }

        return result;
    }

    private async Task<int> DeleteSegmentsAsync(string namespaceId, HashSet<string> referenced, DateTimeOffset writtenBefore, int budget, CancellationToken cancellationToken)
    {
        var prefix = StoragePaths.NamespaceRoot(namespaceId) + "seg/";
        var doomed = new List<string>();
        using var timeout = ListTimeout(cancellationToken);
        await foreach (var item in _store.ListAsync(prefix, null, timeout.Token).ConfigureAwait(false))
        {
            var id = item.Key[prefix.Length..];
            if (!referenced.Contains(id) && item.LastModified < writtenBefore && doomed.Count < budget)
            {
                doomed.Add(item.Key);
            }
        }

        foreach (var key in doomed)
        {
            await DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }

        return doomed.Count;
    }

    private async Task<int> DeleteWalAsync(string namespaceId, long bound, DateTimeOffset writtenBefore, int budget, CancellationToken cancellationToken)
    {
        if (bound <= 0 || budget <= 0)
        {
            return 0;
        }

        var prefix = WalPaths.Prefix(namespaceId);
        var candidates = new List<string>();
        long newest = 0;
        using var timeout = ListTimeout(cancellationToken);
        await foreach (var item in _store.ListAsync(prefix, null, timeout.Token).ConfigureAwait(false))
        {
            if (!WalPaths.TryParseSequence(item.Key, prefix, out var sequence))
            {
                continue;
            }

            newest = Math.Max(newest, sequence);
            if (sequence <= bound && item.LastModified < writtenBefore)
            {
                candidates.Add(item.Key);
            }
        }

        // Never the newest entry: a writer that starts finds the next sequence after it.
        var newestKey = StoragePaths.WalEntry(namespaceId, newest);
        var doomed = candidates.Where(k => k != newestKey).Take(budget).ToList();
        foreach (var key in doomed)
        {
            await DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }

        return doomed.Count;
    }

    /// <summary>A whole listing of a namespace folder may take longer than one call: ten call limits.</summary>
    private CancellationTokenSource ListTimeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StoreCallTimeout * 10);
        return timeout;
    }

    private async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StoreCallTimeout);
        await _store.DeleteAsync(key, null, timeout.Token).ConfigureAwait(false);
    }
}
