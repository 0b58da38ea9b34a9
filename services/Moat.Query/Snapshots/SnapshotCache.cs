using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Moat.Hosting.Errors;
using Moat.Indexer.Configuration;
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
using Moat.V1;

namespace Moat.Query.Snapshots;

/// <summary>
/// The query service's namespace cache (DESIGN section 4, read path): per namespace the latest
/// <see cref="NamespaceView"/>, decrypted in memory, bounded by <see cref="QueryOptions.CacheBytes"/>
/// (least recently used namespaces out). Strong reads refresh the view from the store (new manifest,
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
    private long _bytes;
    private long _clock;

    public SnapshotCache(IObjectStore store, NamespaceMetaStore meta, KeyVaultKeySource keys, IOptions<QueryOptions> options, TimeProvider time, ILogger<SnapshotCache> logger)
    {
        _store = store;
        _disk = store as SealedSegmentDiskCache;
        _meta = meta;
        _options = options.Value;
        _time = time;
        _logger = logger;
        // Segments are cached here as engine segments; the loader's own reader cache stays small.
        _readerOptions = new IndexerOptions { SegmentCacheBytes = 1 };
        keys.Cache.OnUnusable(e => Evict(e.NamespaceId, e.Reason));
    }

    /// <summary>Bytes of segments held, all namespaces.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Whether the namespace has a view in memory.</summary>
    public bool IsHot(string namespaceId) => _states.TryGetValue(namespaceId, out var s) && s.View is not null;

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

            var view = await LoadAsync(read, keys, state.View, stats, cancellationToken).ConfigureAwait(false);
            SetView(read.NamespaceId, state, view);
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
        var segments = new SegmentObjects(_store, keys, _readerOptions, _time);
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
        var stats = new ReadStats();
        return Build(meta, snapshot, previous: null, _time.GetTimestamp(), stats);
    }

    /// <summary>Drops a namespace's view (key disabled or destroyed, namespace deleted).</summary>
    public void Evict(string namespaceId, ErrorReason reason)
    {
        if (_states.TryRemove(namespaceId, out var state) && state.View is { } view)
        {
            Interlocked.Add(ref _bytes, -view.Bytes);
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
        var segments = new SegmentObjects(_store, keys, _readerOptions, _time);
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
            stats.SegmentsReused = previous.SegmentsById.Count;
            return previous.Confirmed(loadStarted);
        }

        var meta = await ReadMetaAsync(read, keys, cancellationToken).ConfigureAwait(false);
        var view = Build(meta, snapshot, previous, loadStarted, stats);
        stats.SegmentsFromDisk = (int)Math.Min(stats.SegmentsLoaded, (_disk?.Hits ?? 0) - diskHitsBefore);
        return view;
    }

    private async Task<NamespaceMetaRecord> ReadMetaAsync(ReadContext read, CallerKeySource keys, CancellationToken cancellationToken)
    {
        // Fresh: a write that added attributes updated meta before it committed, and this load may show it.
        var meta = await _meta.GetAsync(read.NamespaceId, keys.DataKeys(read.NamespaceId, KeyPurpose.CallerRequest), cancellationToken, fresh: true).ConfigureAwait(false);
        return meta is null || meta.Meta.Org != read.Org ? throw ReadContext.NamespaceNotFound(read.NamespaceName) : meta;
    }

    private static NamespaceView Build(NamespaceMetaRecord meta, NamespaceSnapshot snapshot, NamespaceView? previous, long loadStarted, ReadStats stats)
    {
        var byId = new Dictionary<string, SearchSegment>(StringComparer.Ordinal);
        var list = new List<SearchSegment>(snapshot.Segments.Count);
        long bytes = 0;
        foreach (var segment in snapshot.Segments)
        {
            if (previous is not null && previous.SegmentsById.TryGetValue(segment.Entry.SegmentId, out var reused))
            {
                stats.SegmentsReused++;
            }
            else
            {
                reused = SearchSegmentAdapter.FromReader(segment.Reader);
                stats.SegmentsLoaded++;
            }

            byId[segment.Entry.SegmentId] = reused;
            list.Add(reused);
            bytes += (long)segment.Entry.ByteSize;
        }

        SearchSegment? tail = null;
        if (snapshot.Tail.Count > 0)
        {
            var lookup = snapshot.SegmentState;
            var folded = WalFold.Fold(snapshot.Tail, lookup.Find);
            tail = SearchSegmentAdapter.FromFold(folded, meta.Meta.Config, $"tail-{snapshot.Version}");
            bytes += snapshot.Tail.Sum(e => (long)e.CalculateSize());
        }

        return new NamespaceView(meta, snapshot, new SearchSnapshot(list, tail), byId, loadStarted, bytes);
    }

    private void SetView(string namespaceId, NamespaceState state, NamespaceView view)
    {
        var old = state.View;
        state.View = view;
        Interlocked.Add(ref _bytes, view.Bytes - (old?.Bytes ?? 0));
        Trim(namespaceId);
    }

    private void Trim(string keep)
    {
        while (Interlocked.Read(ref _bytes) > _options.CacheBytes)
        {
            var victim = _states.Where(s => s.Key != keep && s.Value.View is not null).OrderBy(s => s.Value.LastUse).Select(s => s.Key).FirstOrDefault();
            if (victim is null)
            {
                return; // one namespace larger than the cache: keep it until another is used
            }

            if (_states.TryRemove(victim, out var state) && state.View is { } view)
            {
                Interlocked.Add(ref _bytes, -view.Bytes);
            }
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Evicted namespace {NamespaceId} from the read cache: {Reason}")]
    private static partial void LogEvicted(ILogger logger, string namespaceId, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Snapshot of namespace {NamespaceId} was inconsistent while loading ({Error}); the caller retries")]
    private static partial void LogInconsistent(ILogger logger, string namespaceId, string error);

    private sealed class NamespaceState
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public NamespaceView? View { get; set; }

        public long LastUse { get; set; }
    }
}
