using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Moat.Hosting.Errors;
using Moat.Indexer.Configuration;
using Moat.Indexer.Keys;
using Moat.Indexer.Manifests;
using Moat.Indexer.SegmentStore;
using Moat.Indexer.Snapshots;
using Moat.Internal.V1;
using Moat.Keys.Client;
using Moat.Query.Reading;
using Moat.Query.Storage;
using Moat.Search;
using Moat.Segments.Indexing;
using Moat.Segments.Segments;
using Moat.Storage.Namespaces;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.V1;

namespace Moat.Query.Snapshots;

/// <summary>
/// The query service's namespace cache (DESIGN section 4, read path): per namespace the latest
/// <see cref="NamespaceView"/>. Stored segments are opened for range reads (<see cref="RangeSegment"/>):
/// a cold query fetches only the head, ids, the sections it reads and the rows and index lists it
/// scores. What is decrypted in memory is bounded by <see cref="QueryOptions.CacheBytes"/> (least
/// recently used namespaces out). Strong reads refresh the view from the store (new manifest,
/// new segments, WAL entries past the watermark) unless a load that began after the read did;
/// eventual reads use a view up to <see cref="QueryOptions.EventualMaxStaleness"/> old. A namespace
/// whose key becomes unusable is evicted at once (the key cache's hook).
/// </summary>
internal sealed partial class SnapshotCache
{
    private readonly IObjectStore _store;
    private readonly SealedSegmentDiskCache? _disk;
    private readonly NamespaceMetaStore _meta;
    private readonly QueryOptions _options;
    private readonly IndexerOptions _readerOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<SnapshotCache> _logger;
    private readonly ConcurrentDictionary<string, NamespaceState> _states = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<SegmentReader, RangeSegment> _opened = [];
    private long _clock;

    public SnapshotCache(IObjectStore store, NamespaceMetaStore meta, KeyVaultKeySource keys, IOptions<QueryOptions> options, TimeProvider time, ILogger<SnapshotCache> logger)
    {
        _store = store;
        _disk = store as SealedSegmentDiskCache;
        _meta = meta;
        _options = options.Value;
        _time = time;
        _logger = logger;
        // Segments are held here as range segments; the loader and manifest reader need only the timeouts.
        _readerOptions = new IndexerOptions();
        keys.Cache.OnUnusable(e => Evict(e.NamespaceId, e.Reason));
    }

    /// <summary>Plaintext bytes in memory, all namespaces.</summary>
    public long Bytes => _states.Values.Sum(s => s.View?.Bytes ?? 0);

    /// <summary>After a read brought bytes in: keeps the cache within its bound (<paramref name="namespaceId"/> stays).</summary>
    public void AfterRead(string namespaceId) => Trim(namespaceId);

    /// <summary>Whether the namespace has a view with every stored segment wholly in memory.</summary>
    public bool IsHot(string namespaceId) =>
        _states.TryGetValue(namespaceId, out var s) && s.View is { } view && view.Ranged.All(r => r.IsWhole);

    /// <summary>The namespace's view for a read of <paramref name="consistency"/>, loading or refreshing it as needed.</summary>
    public async Task<NamespaceView> GetAsync(ReadContext read, CallerKeySource keys, Consistency consistency, ReadStats stats, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var state = _states.GetOrAdd(read.NamespaceId, _ => new NamespaceState());
        state.LastUse = Interlocked.Increment(ref _clock);
        if (consistency == Consistency.Eventual && state.View is { } quick && IsFreshForEventual(quick))
        {
            return Checked(quick, read);
        }

        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (state.View is { } current && (current.LoadStartedAt >= started || (consistency == Consistency.Eventual && IsFreshForEventual(current))))
            {
                return Checked(current, read); // a load that began after this read started sees every write acknowledged before it
            }

            var previous = state.View;
            var view = await LoadAsync(read, keys, previous, stats, cancellationToken).ConfigureAwait(false);
            SetView(read.NamespaceId, state, view);
            FillInBackground(read.NamespaceId, view, previous);
            return Checked(view, read);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>
    /// A view of the namespace pinned at a manifest version and WAL sequence (an Export resumed from
    /// its cursor). Not cached. Fails with CURSOR_INVALID when the pinned manifest has been collected.
    /// </summary>
    public async Task<NamespaceView> GetPinnedAsync(ReadContext read, CallerKeySource keys, ulong manifestVersion, ulong walSequence, CancellationToken cancellationToken)
    {
        if (_states.TryGetValue(read.NamespaceId, out var state) && state.View is { } current
            && (current.Store.Manifest?.Version ?? 0) == manifestVersion && current.Version == walSequence)
        {
            return Checked(current, read);
        }

        var manifests = new ManifestStore(_store, keys, _readerOptions, _time);
        var segments = new RangeSegmentSource(_store, keys, _opened, _readerOptions.StoreCallTimeout);
        var loader = new NamespaceSnapshotLoader(_store, keys, manifests, segments);
        NamespaceSnapshot snapshot;
        try
        {
            snapshot = await loader.LoadPinnedAsync(read.NamespaceId, (long)manifestVersion, walSequence, KeyPurpose.CallerRequest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SnapshotInconsistentException or SegmentMissingException)
        {
            throw new MoatValidationException([new FieldViolation("cursor", "the export's snapshot is no longer available; start the export again")], ErrorReason.CursorInvalid, null);
        }

        var meta = await ReadMetaAsync(read, keys, cancellationToken).ConfigureAwait(false);
        return await BuildAsync(meta, snapshot, _time.GetTimestamp(), keys, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops a namespace's view (key disabled or destroyed, namespace deleted).</summary>
    public void Evict(string namespaceId, ErrorReason reason)
    {
        if (_states.TryRemove(namespaceId, out var state) && state.View is { } view)
        {
            // The readers hold keys derived from the namespace's DEK: zero them now.
            foreach (var segment in view.Ranged)
            {
                segment.Dispose();
            }

            LogEvicted(_logger, namespaceId, reason.ToString());
        }

        _disk?.ForgetNamespace(namespaceId);
    }

    private bool IsFreshForEventual(NamespaceView view) => _time.GetElapsedTime(view.LoadStartedAt) <= _options.EventualMaxStaleness;

    private static NamespaceView Checked(NamespaceView view, ReadContext read) =>
        view.Meta.Meta.Org == read.Org ? view : throw ReadContext.NamespaceNotFound(read.NamespaceName);

    private async Task<NamespaceView> LoadAsync(ReadContext read, CallerKeySource keys, NamespaceView? previous, ReadStats stats, CancellationToken cancellationToken)
    {
        var loadStarted = _time.GetTimestamp();
        stats.FirstLoad = previous is null;
        var manifests = new ManifestStore(_store, keys, _readerOptions, _time);
        var segments = new RangeSegmentSource(_store, keys, _opened, _readerOptions.StoreCallTimeout);
        var loader = new NamespaceSnapshotLoader(_store, keys, manifests, segments);
        var diskHitsBefore = _disk?.Hits ?? 0;
        NamespaceSnapshot snapshot;
        try
        {
            snapshot = previous is null
                ? await loader.LoadAsync(read.NamespaceId, KeyPurpose.CallerRequest, cancellationToken).ConfigureAwait(false)
                : await loader.RefreshAsync(previous.Store, KeyPurpose.CallerRequest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SnapshotInconsistentException or SegmentMissingException)
        {
            LogInconsistent(_logger, read.NamespaceId, e.GetType().Name);
            throw new MoatException(StatusCode.Unavailable, ErrorReason.Unspecified, "the namespace changed while it was being read; retry");
        }

        if (previous is not null && snapshot.Version == previous.Version
            && (snapshot.Manifest?.Version ?? 0) == (previous.Store.Manifest?.Version ?? 0))
        {
            stats.SegmentsReused = previous.Ranged.Count;
            return previous.Confirmed(loadStarted);
        }

        var meta = await ReadMetaAsync(read, keys, cancellationToken).ConfigureAwait(false);
        var view = await BuildAsync(meta, snapshot, loadStarted, keys, cancellationToken).ConfigureAwait(false);
        stats.SegmentsLoaded = segments.Opened;
        stats.SegmentsReused = view.Ranged.Count - segments.Opened;
        stats.SegmentsFromDisk = (int)Math.Min(stats.SegmentsLoaded, (_disk?.Hits ?? 0) - diskHitsBefore);
        return view;
    }

    private async Task<NamespaceMetaRecord> ReadMetaAsync(ReadContext read, CallerKeySource keys, CancellationToken cancellationToken)
    {
        // Fresh: a write that added attributes updated meta before it committed, and this load may show it.
        var meta = await _meta.GetAsync(read.NamespaceId, keys.DataKeys(read.NamespaceId, KeyPurpose.CallerRequest), cancellationToken, fresh: true).ConfigureAwait(false);
        return meta is null || meta.Meta.Org != read.Org ? throw ReadContext.NamespaceNotFound(read.NamespaceName) : meta;
    }

    private async Task<NamespaceView> BuildAsync(NamespaceMetaRecord meta, NamespaceSnapshot snapshot, long loadStarted, IServiceKeySource keys, CancellationToken cancellationToken)
    {
        var ranged = new List<RangeSegment>(snapshot.Segments.Count);
        foreach (var segment in snapshot.Segments)
        {
            ranged.Add(_opened.TryGetValue(segment.Reader, out var r) ? r : throw new InvalidOperationException($"Segment {segment.Entry.SegmentId} was not opened for range reads."));
        }

        SearchSegment? tail = null;
        long tailBytes = 0;
        if (snapshot.Tail.Count > 0)
        {
            tail = SearchSegmentAdapter.FromFold(await FoldTailAsync(snapshot, ranged, keys, cancellationToken).ConfigureAwait(false), meta.Meta.Config, $"tail-{snapshot.Version}");
            tailBytes = snapshot.Tail.Sum(e => (long)e.CalculateSize());
        }

        return new NamespaceView(meta, snapshot, new SearchSnapshot([.. ranged.Select(r => r.Engine)], tail), ranged, loadStarted, tailBytes);
    }

    /// <summary>
    /// Folds the WAL tail over the segments. A patch merges into the row it patches, so a tail with
    /// patches needs the segments whole; without, a delete needs only to know the id may exist, and
    /// a tombstone for an id no segment holds shadows nothing.
    /// </summary>
    private static async Task<FoldResult> FoldTailAsync(NamespaceSnapshot snapshot, IReadOnlyList<RangeSegment> ranged, IServiceKeySource keys, CancellationToken cancellationToken)
    {
        var patches = snapshot.Tail.Any(e => e.Writes.Any(w => w.Operations.Any(o => o.OpCase == WalOperation.OpOneofCase.Patch)));
        if (!patches)
        {
            return WalFold.Fold(snapshot.Tail, key => new FoldedDocument(key, new Document(), 0));
        }

        var dataKeys = keys.DataKeys(snapshot.NamespaceId, KeyPurpose.CallerRequest);
        await Task.WhenAll(ranged.Select(r => r.EnsureAllAsync(dataKeys, cancellationToken))).ConfigureAwait(false);
        return WalFold.Fold(snapshot.Tail, snapshot.SegmentState.Find);
    }

    /// <summary>
    /// After a view brought in new segments by ranges (its first queries fetched what they needed),
    /// the rest of those segments is read in the background while the cache has room for them, so
    /// later queries find everything in memory instead of each warming its own lists and rows.
    /// </summary>
    private void FillInBackground(string namespaceId, NamespaceView view, NamespaceView? previous)
    {
        var fresh = view.Ranged.Where(r => previous is null || !previous.Ranged.Contains(r)).ToList();
        if (fresh.Count == 0 || Bytes + fresh.Sum(r => r.Length - r.ResidentBytes) > _options.CacheBytes)
        {
            return;
        }

        _ = Task.Run(
            async () =>
            {
                try
                {
                    foreach (var segment in fresh)
                    {
                        await segment.FillAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is SealedObjectIntegrityException or ObjectStoreException or InvalidOperationException)
                {
                    // Queries still fetch by ranges (and meet the same fault themselves).
                    LogFillFailed(_logger, namespaceId, e.GetType().Name);
                }

                Trim(namespaceId);
            },
            CancellationToken.None);
    }

    private void SetView(string namespaceId, NamespaceState state, NamespaceView view)
    {
        state.View = view;
        Trim(namespaceId);
    }

    private void Trim(string keep)
    {
        while (Bytes > _options.CacheBytes)
        {
            var victim = _states.Where(s => s.Key != keep && s.Value.View is not null).OrderBy(s => s.Value.LastUse).Select(s => s.Key).FirstOrDefault();
            if (victim is null)
            {
                return; // one namespace larger than the cache: keep it until another is used
            }

            // Dropped, not disposed: a query may still be reading it; the GC takes it after.
            _states.TryRemove(victim, out _);
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Evicted namespace {NamespaceId} from the read cache: {Reason}")]
    private static partial void LogEvicted(ILogger logger, string namespaceId, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Background read of namespace {NamespaceId}'s segments stopped: {Error}")]
    private static partial void LogFillFailed(ILogger logger, string namespaceId, string error);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Snapshot of namespace {NamespaceId} was inconsistent while loading ({Error}); the caller retries")]
    private static partial void LogInconsistent(ILogger logger, string namespaceId, string error);

    private sealed class NamespaceState
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public NamespaceView? View { get; set; }

        public long LastUse { get; set; }
    }
}
