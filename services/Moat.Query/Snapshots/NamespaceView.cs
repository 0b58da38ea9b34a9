using Moat.Indexer.Snapshots;
using Moat.Search;
using Moat.Storage.Namespaces;

namespace Moat.Query.Snapshots;

/// <summary>
/// One namespace as a query sees it: the store snapshot (manifest, segments, WAL tail), the engine's
/// snapshot over it, and the meta (config and effective schema) it was read with. Immutable; a
/// refresh makes a new view that reuses the unchanged segments.
/// </summary>
internal sealed class NamespaceView
{
    public NamespaceView(NamespaceMetaRecord meta, NamespaceSnapshot store, SearchSnapshot engine,
        IReadOnlyDictionary<string, SearchSegment> segmentsById, long loadStartedAt, long bytes)
    {
        Meta = meta;
        Store = store;
        Engine = engine;
        SegmentsById = segmentsById;
        LoadStartedAt = loadStartedAt;
        Bytes = bytes;
    }

    public NamespaceMetaRecord Meta { get; }

    public NamespaceSnapshot Store { get; }

    public SearchSnapshot Engine { get; }

    /// <summary>Engine segments by segment id (immutable, reused by the next refresh).</summary>
    public IReadOnlyDictionary<string, SearchSegment> SegmentsById { get; }

    /// <summary>When the load that made this view began (TimeProvider timestamp): it includes every write acknowledged before then.</summary>
    public long LoadStartedAt { get; }

    /// <summary>Stored bytes of the segments held (the cache's memory measure).</summary>
    public long Bytes { get; }

    /// <summary>The namespace version the view shows (its last WAL sequence).</summary>
    public ulong Version => Store.Version;

    /// <summary>A view with the same data, confirmed current by a later load.</summary>
    public NamespaceView Confirmed(long loadStartedAt) => new(Meta, Store, Engine, SegmentsById, loadStartedAt, Bytes);
}
