using Moat.Indexer.Configuration;
using Moat.Indexer.Indexing;
using Moat.Indexer.Keys;
using Moat.Indexer.Manifests;
using Moat.Indexer.SegmentStore;
using Moat.Internal.V1;
using Moat.Storage.ObjectStore;
using Moat.Wal;

namespace Moat.Indexer.Snapshots;

/// <summary>
/// Loads what a reader needs (DESIGN section 4, read path): the latest manifest, its segments
/// (opened by the <see cref="ISegmentSource"/>: whole, or for range reads), and the committed WAL entries past
/// its watermark. Readers accept the current and the previous format version of every object (the
/// format envelopes enforce it). GC keeps everything a loaded manifest names for
/// <see cref="IndexerOptions.ReaderGrace"/> after it is superseded, so a snapshot stays readable.
/// </summary>
public sealed partial class NamespaceSnapshotLoader
{
    private const int MaxAttempts = 4;

    private readonly IObjectStore _store;
    private readonly IServiceKeySource _keys;
    private readonly ManifestStore _manifests;
    private readonly ISegmentSource _segments;
    private readonly TimeSpan _callTimeout;

    public NamespaceSnapshotLoader(IObjectStore store, IServiceKeySource keys, ManifestStore manifests, ISegmentSource segments, IndexerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(manifests);
        ArgumentNullException.ThrowIfNull(segments);
        _store = store;
        _keys = keys;
        _manifests = manifests;
        _segments = segments;
        _callTimeout = (options ?? new IndexerOptions()).StoreCallTimeout;
    }

    /// <summary>A fresh snapshot of the namespace, keys asked for with <paramref name="purpose"/> (a reader serving a caller: <see cref="KeyPurpose.CallerRequest"/>).</summary>
    public Task<NamespaceSnapshot> LoadAsync(string namespaceId, KeyPurpose purpose, CancellationToken cancellationToken) =>
        LoadAsync(namespaceId, previous: null, purpose, cancellationToken);

    /// <summary>
    /// A snapshot at least as new as <paramref name="previous"/>, reusing what it can: its segments
    /// (by id: they are immutable) and its tail entries; only the new manifest, new segments and new
    /// WAL entries are read. It knows where <paramref name="previous"/> stood, so it probes the next
    /// manifest version and WAL sequence instead of listing; when nothing is new it returns
    /// <paramref name="previous"/> itself, after three small requests when it has a manifest
    /// (docs/indexer.md, "Snapshot loader").
    /// </summary>
    public async Task<NamespaceSnapshot> RefreshAsync(NamespaceSnapshot previous, KeyPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(previous);
        return await LoadAsync(previous.NamespaceId, previous, purpose, cancellationToken).ConfigureAwait(false);
    }

    private async Task<NamespaceSnapshot> LoadAsync(string namespaceId, NamespaceSnapshot? previous, KeyPurpose purpose, CancellationToken cancellationToken)
    {
        ManifestStore.CheckNamespace(namespaceId);
        var wal = new WalReader(_store, _keys.ForPurpose(purpose));
        var probeManifest = true;
        for (var attempt = 1; ; attempt++)
        {
            // A refresh probes after the manifest version it saw; a first load, a retry or a snapshot without one lists.
            var seen = probeManifest ? (long)(previous?.Manifest?.Version ?? 0) : 0;
            var latestVersion = seen > 0
                ? await _manifests.GetLatestVersionAfterAsync(namespaceId, seen, cancellationToken).ConfigureAwait(false)
                : await _manifests.GetLatestVersionAsync(namespaceId, cancellationToken).ConfigureAwait(false);
            var manifest = previous?.Manifest is { } known && (long)known.Version == latestVersion
                ? known
                : latestVersion == 0 ? null : await _manifests.ReadAsync(namespaceId, latestVersion, purpose, cancellationToken).ConfigureAwait(false);
            if (latestVersion != 0 && manifest is null)
            {
                if (attempt >= MaxAttempts)
                {
                    throw new SnapshotInconsistentException($"Manifest {latestVersion} of namespace {namespaceId} was listed as the latest but is absent.");
                }

                probeManifest = false;
                continue; // collected after being superseded: a newer one exists
            }

            var segments = await OpenSegmentsAsync(namespaceId, manifest, previous, purpose, cancellationToken).ConfigureAwait(false);
            var watermark = (long)(manifest?.WalWatermark ?? 0);

            // Reuse the previous tail past this watermark; read only what is newer.
            var tail = previous is null ? [] : previous.Tail.Where(e => e.Sequence > (ulong)watermark).ToList();
            var readAfter = tail.Count > 0 ? (long)tail[^1].Sequence : watermark;
            if (tail.Count > 0 && (long)tail[0].Sequence != watermark + 1)
            {
                tail.Clear();
                readAfter = watermark;
            }

            // A refresh probes readAfter + 1, ... (GET) instead of listing: readAfter is at or past the
            // watermark of a manifest that was the latest just now, and GC takes no entry past the
            // watermark of a manifest superseded less than the reader grace ago, so an absent entry
            // was never written. A first load lists, which also finds a gap in a damaged WAL.
            var run = previous is null
                ? await WalTail.ReadAsync(_store, wal, namespaceId, readAfter, int.MaxValue, long.MaxValue, _callTimeout, cancellationToken).ConfigureAwait(false)
                : await WalTail.ProbeAsync(wal, namespaceId, readAfter, _callTimeout, cancellationToken).ConfigureAwait(false);
            if (run.GapAfter is { } gap)
            {
                // Entries past the watermark are never collected; a gap means a newer manifest folded
                // them and GC took them (or the WAL is damaged). Start over from the latest manifest.
                if (attempt >= MaxAttempts)
                {
                    throw new SnapshotInconsistentException($"The WAL of namespace {namespaceId} has a gap after sequence {gap}, past manifest {latestVersion}'s watermark {watermark}.");
                }

                previous = null;
                continue;
            }

            if (previous is not null && ReferenceEquals(manifest, previous.Manifest) && run.Entries.Count == 0 && tail.Count == previous.Tail.Count)
            {
                return previous; // nothing new: the same immutable snapshot
            }

            tail.AddRange(run.Entries);
            return new NamespaceSnapshot(namespaceId, manifest, segments, tail);
        }
    }

    private async Task<List<SnapshotSegment>> OpenSegmentsAsync(string namespaceId, Manifest? manifest, NamespaceSnapshot? previous, KeyPurpose purpose, CancellationToken cancellationToken)
    {
        var result = new List<SnapshotSegment>();
        if (manifest is null)
        {
            return result;
        }

        var reusable = previous?.Segments.ToDictionary(s => s.Entry.SegmentId, StringComparer.Ordinal) ?? [];
        foreach (var entry in manifest.Segments)
        {
            var reader = reusable.TryGetValue(entry.SegmentId, out var old)
                ? old.Reader
                : await _segments.ReadAsync(namespaceId, entry, purpose, cancellationToken).ConfigureAwait(false);
            result.Add(new SnapshotSegment(entry, reader));
        }

        return result;
    }
}
