using Moat.Indexer.Snapshots;
using Moat.Search;
using Moat.Storage.Namespaces;
using Moat.Storage.Sealing;

namespace Moat.Query.Snapshots;

/// <summary>
/// One namespace as a query sees it: the store snapshot (manifest, segments, WAL tail), the engine's
/// snapshot over it, and the meta (config and effective schema) it was read with. Its stored
/// segments are read by ranges (<see cref="RangeSegment"/>): a search first brings in the sections
/// it names, then whatever rows and index lists the engine reports missing, and runs again.
/// Immutable apart from what is in memory; a refresh makes a new view that reuses the unchanged segments.
/// </summary>
internal sealed class NamespaceView
{
    private readonly long _tailBytes;

    public NamespaceView(NamespaceMetaRecord meta, NamespaceSnapshot store, SearchSnapshot engine,
        IReadOnlyList<RangeSegment> ranged, long loadStartedAt, long tailBytes)
    {
        Meta = meta;
        Store = store;
        Engine = engine;
        Ranged = ranged;
        LoadStartedAt = loadStartedAt;
        _tailBytes = tailBytes;
    }

    public NamespaceMetaRecord Meta { get; }

    public NamespaceSnapshot Store { get; }

    public SearchSnapshot Engine { get; }

    /// <summary>The stored segments, oldest first (the engine's segments before the tail).</summary>
    public IReadOnlyList<RangeSegment> Ranged { get; }

    /// <summary>When the load that made this view began (TimeProvider timestamp): it includes every write acknowledged before then.</summary>
    public long LoadStartedAt { get; }

    /// <summary>Plaintext bytes in memory: the segments' present chunks and the tail (the cache's memory measure).</summary>
    public long Bytes => _tailBytes + Ranged.Sum(r => r.ResidentBytes);

    /// <summary>Plaintext bytes of the stored segments, whole.</summary>
    public long StoredBytes => Ranged.Sum(r => r.Length);

    /// <summary>The namespace version the view shows (its last WAL sequence).</summary>
    public ulong Version => Store.Version;

    /// <summary>A view with the same data, confirmed current by a later load.</summary>
    public NamespaceView Confirmed(long loadStartedAt) => new(Meta, Store, Engine, Ranged, loadStartedAt, _tailBytes);

    /// <summary>Runs <paramref name="query"/>, bringing in from the store what it reads first.</summary>
    public Task<SearchResult> SearchAsync(SearchQuery query, IDataKeySource keys, CancellationToken cancellationToken) =>
        RangeSearch.RunAsync(Engine, Ranged, query, keys, cancellationToken);

    /// <summary>Brings in every stored segment whole and every engine part (WarmCache, MeasureRecall).</summary>
    public Task LoadAllAsync(IDataKeySource keys, CancellationToken cancellationToken) =>
        RangeSearch.LoadAllAsync(Ranged, keys, cancellationToken);
}
