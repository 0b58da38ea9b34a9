using Moat.Indexer.Collection;
using Moat.Indexer.Compaction;
using Moat.Indexer.Configuration;
using Moat.Indexer.Indexing;
using Moat.Indexer.Manifests;
using Moat.Indexer.Racer;
using Moat.Indexer.SegmentStore;
using Moat.Indexer.Snapshots;
using Moat.Internal.V1;
using Moat.Segments;
using Moat.Storage.ObjectStore;
using Moat.V1;
using Moat.Wal;

namespace Moat.Indexer.Tests;

/// <summary>A temporary directory for a local store, removed on dispose.</summary>
internal sealed class TempStore : IDisposable
{
    private readonly List<LocalFileSystemStore> _opened = [];

    public TempStore() => Directory = System.IO.Directory.CreateTempSubdirectory("moat-indexer-").FullName;

    public string Directory { get; }

    /// <summary>A new store instance over the same directory (as another process would open it).</summary>
    public LocalFileSystemStore Open()
    {
        var store = new LocalFileSystemStore(Directory, "test-region");
        _opened.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in _opened)
        {
            store.Dispose();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>
/// One indexer "instance" over a store: its own manifest store, segment cache, indexer, compactor,
/// collector and loader (as one write-service process has).
/// </summary>
internal sealed class IndexerInstance
{
    public IndexerInstance(IObjectStore store, FixedKeys keys, IndexerOptions options, TimeProvider? time = null)
    {
        Store = store;
        Manifests = new ManifestStore(store, keys, options, time);
        Segments = new SegmentObjects(store, keys, options, time);
        Indexer = new NamespaceIndexer(store, keys, new FixedSchema(), Manifests, Segments, options, timeProvider: time);
        Compactor = new NamespaceCompactor(new FixedSchema(), Manifests, Segments, options, timeProvider: time);
        Collector = new NamespaceCollector(store, Manifests, options, time);
        Loader = new NamespaceSnapshotLoader(store, keys, Manifests, Segments, options);
    }

    public IObjectStore Store { get; }

    public ManifestStore Manifests { get; }

    public SegmentObjects Segments { get; }

    public NamespaceIndexer Indexer { get; }

    public NamespaceCompactor Compactor { get; }

    public NamespaceCollector Collector { get; }

    public NamespaceSnapshotLoader Loader { get; }

    /// <summary>Indexes until a run finds nothing new; returns the runs that published.</summary>
    public async Task<int> IndexAllAsync(string nsid = IndexerKit.Nsid)
    {
        var published = 0;
        while (true)
        {
            var run = await Indexer.RunOnceAsync(nsid, CancellationToken.None);
            if (run.Outcome == IndexRunOutcome.UpToDate)
            {
                return published;
            }

            published += run.Outcome == IndexRunOutcome.Published ? 1 : 0;
        }
    }

    public Task<NamespaceSnapshot> SnapshotAsync(string nsid = IndexerKit.Nsid) =>
        Loader.LoadAsync(nsid, KeyPurpose.CallerRequest, CancellationToken.None);
}

internal static class IndexerKit
{
    public const string Nsid = "ns0001";

    public static IndexerOptions Options(Action<IndexerOptions>? configure = null)
    {
        var options = new IndexerOptions { StoreCallTimeout = TimeSpan.FromSeconds(10) };
        configure?.Invoke(options);
        return options;
    }

    public static GroupCommitQueue Queue(IObjectStore store, FixedKeys keys) =>
        new(store, keys.ForWal(), new GroupCommitOptions { Window = TimeSpan.Zero, StoreCallTimeout = TimeSpan.FromSeconds(10) });

    /// <summary>Commits <paramref name="count"/> seeded writes, one entry each; returns their markers.</summary>
    public static async Task<List<string>> CommitAsync(GroupCommitQueue queue, Mix64 random, int count, string prefix, string nsid = Nsid)
    {
        var markers = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var marker = $"{prefix}-{i}";
            await queue.SubmitAsync(nsid, Workload.Write(marker, random), CancellationToken.None);
            markers.Add(marker);
        }

        return markers;
    }

    /// <summary>Commits exactly these operations as one write.</summary>
    public static Task<WalAck> CommitAsync(GroupCommitQueue queue, string marker, params WalOperation[] operations) =>
        queue.SubmitAsync(Nsid, operations, marker, CancellationToken.None);

    public static async Task<List<WalEntry>> ReadWalAsync(IObjectStore store, FixedKeys keys, string nsid = Nsid)
    {
        var entries = new List<WalEntry>();
        await foreach (var entry in new WalReader(store, keys.ForWal()).ReadAsync(nsid, 1, CancellationToken.None))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>The snapshot's materialised state equals the model, document by document.</summary>
    public static void AssertState(Dictionary<DocKey, Document> model, NamespaceSnapshot snapshot)
    {
        var actual = snapshot.Materialize();
        var missing = model.Keys.Where(k => !actual.ContainsKey(k)).ToList();
        var extra = actual.Keys.Where(k => !model.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0, $"missing ids [{string.Join(",", missing)}], extra ids [{string.Join(",", extra)}]");
        foreach (var (key, doc) in model)
        {
            Assert.Equal(doc, actual[key].Document);
        }
    }

    /// <summary>
    /// Structure every manifest must have: it names its namespace, its segments' WAL ranges are
    /// ordered and disjoint (no entry folded into two live segments) and at or below its watermark.
    /// </summary>
    public static void AssertWellFormed(Manifest manifest)
    {
        ulong previousMax = 0;
        foreach (var segment in manifest.Segments)
        {
            Assert.True(segment.MinSequence > previousMax, $"manifest {manifest.Version}: segment {segment.SegmentId} [{segment.MinSequence},{segment.MaxSequence}] overlaps an older one (max {previousMax})");
            Assert.True(segment.MaxSequence >= segment.MinSequence);
            Assert.True(segment.MaxSequence <= manifest.WalWatermark, $"manifest {manifest.Version}: segment {segment.SegmentId} runs past the watermark {manifest.WalWatermark}");
            previousMax = segment.MaxSequence;
        }
    }

    /// <summary>Every manifest version 1..latest exists, chains to its predecessor, is well formed, and watermarks never go back.</summary>
    public static async Task<List<Manifest>> AssertChainAsync(ManifestStore manifests, string nsid = Nsid)
    {
        var listed = await manifests.ListAsync(nsid, CancellationToken.None);
        var chain = new List<Manifest>();
        for (var i = 0; i < listed.Count; i++)
        {
            Assert.Equal(listed[0].Version + i, listed[i].Version);
            var manifest = await manifests.ReadAsync(nsid, listed[i].Version, KeyPurpose.CallerRequest, CancellationToken.None);
            Assert.NotNull(manifest);
            Assert.Equal((ulong)listed[i].Version - 1, manifest.PreviousVersion);
            AssertWellFormed(manifest);
            if (chain.Count > 0)
            {
                Assert.True(manifest.WalWatermark >= chain[^1].WalWatermark, $"watermark went back at manifest {manifest.Version}");
            }

            chain.Add(manifest);
        }

        return chain;
    }

    /// <summary>
    /// "A true state or nothing": every manifest of the chain, read whole (its segments merged), holds
    /// exactly the state of the WAL up to its watermark.
    /// </summary>
    public static async Task AssertEveryManifestTrueAsync(IObjectStore store, FixedKeys keys, IReadOnlyList<Manifest> chain, IReadOnlyList<WalEntry> wal, string nsid = Nsid)
    {
        var segments = new SegmentObjects(store, keys, Options());
        foreach (var manifest in chain)
        {
            var readers = new List<Moat.Segments.Segments.SegmentReader>();
            foreach (var segment in manifest.Segments)
            {
                readers.Add(await segments.ReadAsync(nsid, segment, KeyPurpose.CallerRequest, CancellationToken.None));
            }

            var state = Moat.Segments.Indexing.SegmentMerge.Merge(readers, dropTombstones: true).Documents.ToDictionary(d => d.Key, d => d.Document);
            var model = Workload.Model(wal.Where(e => e.Sequence <= manifest.WalWatermark));
            Assert.True(model.Count == state.Count, $"manifest {manifest.Version}: {state.Count} documents, the WAL up to {manifest.WalWatermark} gives {model.Count}");
            foreach (var (key, doc) in model)
            {
                Assert.True(state.TryGetValue(key, out var actual) && actual.Equals(doc), $"manifest {manifest.Version}: document {key} differs from the WAL up to {manifest.WalWatermark}");
            }
        }
    }
}
