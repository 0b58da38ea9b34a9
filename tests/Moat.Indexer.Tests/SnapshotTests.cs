using Moat.Indexer.Racer;
using Moat.Internal.V1;

namespace Moat.Indexer.Tests;

public sealed class SnapshotTests : IDisposable
{
    private readonly TempStore _dir = new();
    private readonly FixedKeys _keys = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_snapshot_is_the_manifest_state_plus_the_WAL_tail()
    {
        var store = _dir.Open();
        var instance = new IndexerInstance(store, _keys, IndexerKit.Options());
        await using var queue = IndexerKit.Queue(store, _keys);
        var random = new Mix64(31);
        await IndexerKit.CommitAsync(queue, random, 10, "indexed");
        await instance.IndexAllAsync();
        await IndexerKit.CommitAsync(queue, random, 7, "tail");

        var snapshot = await instance.SnapshotAsync();
        Assert.Equal(1UL, snapshot.Manifest!.Version);
        Assert.Equal(10UL, snapshot.Watermark);
        Assert.Equal(Enumerable.Range(11, 7).Select(i => (ulong)i), snapshot.Tail.Select(e => e.Sequence));
        Assert.Equal(17UL, snapshot.Version);
        Assert.Single(snapshot.Segments);
        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(store, _keys)), snapshot);
    }

    [Fact]
    public async Task A_namespace_with_nothing_indexed_is_all_tail_and_an_empty_one_is_empty()
    {
        var store = _dir.Open();
        var instance = new IndexerInstance(store, _keys, IndexerKit.Options());
        var empty = await instance.SnapshotAsync();
        Assert.Null(empty.Manifest);
        Assert.Empty(empty.Tail);
        Assert.Equal(0UL, empty.Version);

        await using var queue = IndexerKit.Queue(store, _keys);
        await IndexerKit.CommitAsync(queue, new Mix64(32), 4, "w");
        var snapshot = await instance.SnapshotAsync();
        Assert.Null(snapshot.Manifest);
        Assert.Equal(4, snapshot.Tail.Count);
        Assert.Equal(4UL, snapshot.Version);
        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(store, _keys)), snapshot);
    }

    [Fact]
    public async Task A_refresh_reuses_segments_and_reads_only_what_is_new()
    {
        var store = _dir.Open();
        var writer = new IndexerInstance(store, _keys, IndexerKit.Options());
        var reader = new IndexerInstance(_dir.Open(), _keys, IndexerKit.Options());
        await using var queue = IndexerKit.Queue(store, _keys);
        var random = new Mix64(33);
        await IndexerKit.CommitAsync(queue, random, 5, "a");
        await writer.IndexAllAsync();
        await IndexerKit.CommitAsync(queue, random, 3, "b");
        var first = await reader.SnapshotAsync();

        await IndexerKit.CommitAsync(queue, random, 2, "c");
        var second = await reader.Loader.RefreshAsync(first, KeyPurpose.CallerRequest, CancellationToken.None);
        Assert.Same(first.Manifest, second.Manifest);
        Assert.Same(first.Segments[0].Reader, second.Segments[0].Reader);
        Assert.Equal(10UL, second.Version);
        Assert.Same(first.Tail[0], second.Tail[0]);
        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(store, _keys)), second);

        await writer.IndexAllAsync();
        await IndexerKit.CommitAsync(queue, random, 1, "d");
        var third = await reader.Loader.RefreshAsync(second, KeyPurpose.CallerRequest, CancellationToken.None);
        Assert.Equal(2UL, third.Manifest!.Version);
        Assert.Same(first.Segments[0].Reader, third.Segments[0].Reader);
        Assert.Equal([11UL], third.Tail.Select(e => e.Sequence));
        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(store, _keys)), third);
    }

    [Fact]
    public async Task A_manifest_moved_to_another_version_is_refused()
    {
        var store = _dir.Open();
        var instance = new IndexerInstance(store, _keys, IndexerKit.Options());
        await using var queue = IndexerKit.Queue(store, _keys);
        await IndexerKit.CommitAsync(queue, new Mix64(34), 2, "a");
        await instance.IndexAllAsync();
        var bytes = (await store.GetAsync(Moat.Storage.StoragePaths.Manifest(IndexerKit.Nsid, 1), null, CancellationToken.None))!.Data;
        await store.PutAsync(Moat.Storage.StoragePaths.Manifest(IndexerKit.Nsid, 2), bytes, Moat.Storage.ObjectStore.PutCondition.IfAbsent, CancellationToken.None);

        // The seal binds the path: a copy fails to unseal before its contents are even looked at.
        await Assert.ThrowsAsync<Moat.Storage.Sealing.SealedObjectIntegrityException>(() => new IndexerInstance(store, _keys, IndexerKit.Options()).SnapshotAsync());
    }
}
