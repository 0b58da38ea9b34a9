using Moat.Indexer.Indexing;
using Moat.Indexer.Racer;
using Moat.Internal.V1;
using Moat.Segments;
using Moat.V1;

namespace Moat.Indexer.Tests;

public sealed class FoldTests : IDisposable
{
    private readonly TempStore _dir = new();
    private readonly FixedKeys _keys = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public async Task Several_runs_equal_the_reference_model_after_every_run(ulong seed)
    {
        var store = _dir.Open();
        var instance = new IndexerInstance(store, _keys, IndexerKit.Options());
        await using var queue = IndexerKit.Queue(store, _keys);
        var random = new Mix64(seed);
        for (var round = 0; round < 6; round++)
        {
            await IndexerKit.CommitAsync(queue, random, 12, $"r{round}");
            var run = await instance.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None);
            Assert.Equal(IndexRunOutcome.Published, run.Outcome);
            Assert.Equal(12, run.EntriesFolded);
            Assert.False(run.MoreRemaining);

            var snapshot = await instance.SnapshotAsync();
            Assert.Empty(snapshot.Tail);
            Assert.Equal((ulong)run.Watermark, snapshot.Version);
            IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(store, _keys)), snapshot);
        }

        var chain = await IndexerKit.AssertChainAsync(instance.Manifests);
        Assert.Equal(6, chain.Count);
        Assert.Equal(72UL, chain[^1].WalWatermark);
        Assert.Equal(IndexRunOutcome.UpToDate, (await instance.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task A_patch_of_a_row_in_an_older_segment_becomes_a_full_row_and_a_delete_a_tombstone()
    {
        var store = _dir.Open();
        var instance = new IndexerInstance(store, _keys, IndexerKit.Options());
        await using var queue = IndexerKit.Queue(store, _keys);
        var one = new DocumentId { U64 = 1 };
        var two = new DocumentId { U64 = 2 };

        await IndexerKit.CommitAsync(queue, "a", Upsert(one, 10, "first"), Upsert(two, 20, "second"));
        await instance.IndexAllAsync();

        var patch = new Document { Id = one };
        patch.Attributes["n"] = new AttributeValue { IntValue = 11 };
        patch.Attributes["s"] = new AttributeValue { NullValue = Google.Protobuf.WellKnownTypes.NullValue.NullValue };
        await IndexerKit.CommitAsync(queue, "b", new WalOperation { Patch = patch }, new WalOperation { Delete = two }, new WalOperation { Delete = new DocumentId { U64 = 99 } });
        await instance.IndexAllAsync();

        var snapshot = await instance.SnapshotAsync();
        Assert.Equal(2, snapshot.Segments.Count);
        var newest = snapshot.Segments[^1].Reader;
        Assert.Equal(1, newest.RowCount);
        var row = newest.ReadDocument(0);
        Assert.Equal(11, row.Attributes["n"].IntValue);
        Assert.False(row.Attributes.ContainsKey("s"));
        Assert.Equal([0.5f, 0.5f], row.Vectors["v"].Values); // the patch kept the vector from the older segment
        Assert.Equal(1, newest.Tombstones.Count); // id 2 (it exists below); not 99, which never existed
        Assert.Equal(DocKey.FromU64(2), newest.Tombstones.Ids.GetKey(0));

        // Re-upsert the deleted id: a row again, shadowing the tombstone.
        await IndexerKit.CommitAsync(queue, "c", Upsert(two, 22, "again"));
        await instance.IndexAllAsync();
        var state = (await instance.SnapshotAsync()).Materialize();
        Assert.Equal(22, state[DocKey.FromU64(2)].Document.Attributes["n"].IntValue);
        Assert.Equal(11, state[DocKey.FromU64(1)].Document.Attributes["n"].IntValue);
        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(store, _keys)), await instance.SnapshotAsync());
    }

    [Fact]
    public async Task A_run_is_bounded_and_the_next_run_continues_at_the_watermark()
    {
        var store = _dir.Open();
        var instance = new IndexerInstance(store, _keys, IndexerKit.Options(o => o.MaxEntriesPerRun = 4));
        await using var queue = IndexerKit.Queue(store, _keys);
        await IndexerKit.CommitAsync(queue, new Mix64(9), 10, "w");

        var first = await instance.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal((4L, true), (first.Watermark, first.MoreRemaining));
        var second = await instance.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal((8L, true), (second.Watermark, second.MoreRemaining));
        var third = await instance.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal((10L, false), (third.Watermark, third.MoreRemaining));
        await IndexerKit.AssertChainAsync(instance.Manifests);
        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(store, _keys)), await instance.SnapshotAsync());
    }

    [Fact]
    public async Task Entries_that_change_nothing_advance_the_watermark_without_a_segment()
    {
        var store = _dir.Open();
        var instance = new IndexerInstance(store, _keys, IndexerKit.Options());
        await using var queue = IndexerKit.Queue(store, _keys);
        var patch = new Document { Id = new DocumentId { U64 = 5 } };
        patch.Attributes["n"] = new AttributeValue { IntValue = 1 };
        await IndexerKit.CommitAsync(queue, "x", new WalOperation { Patch = patch }); // a patch of nothing

        var run = await instance.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal(IndexRunOutcome.Published, run.Outcome);
        Assert.Null(run.SegmentId);
        var snapshot = await instance.SnapshotAsync();
        Assert.Equal(1UL, snapshot.Watermark);
        Assert.Empty(snapshot.Segments);
        Assert.Empty(snapshot.Materialize());
    }

    [Fact]
    public async Task A_gap_in_the_WAL_stops_the_fold_before_it()
    {
        var store = _dir.Open();
        var instance = new IndexerInstance(store, _keys, IndexerKit.Options());
        await using var queue = IndexerKit.Queue(store, _keys);
        await IndexerKit.CommitAsync(queue, new Mix64(4), 5, "w");
        await store.DeleteAsync(Moat.Storage.StoragePaths.WalEntry(IndexerKit.Nsid, 3), null, CancellationToken.None);

        var run = await instance.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal(2L, run.Watermark);
        Assert.Equal(IndexRunOutcome.UpToDate, (await instance.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task Keys_are_asked_for_with_the_service_purpose_of_the_work()
    {
        var store = _dir.Open();
        var writerKeys = _keys;
        var indexKeys = new FixedKeys(_keys.Key.ToArray());
        var instance = new IndexerInstance(store, indexKeys, IndexerKit.Options(o => o.MaxSmallSegments = 1));
        await using var queue = IndexerKit.Queue(store, writerKeys);
        for (var i = 0; i < 3; i++)
        {
            await IndexerKit.CommitAsync(queue, new Mix64((ulong)i), 2, $"k{i}");
            await instance.IndexAllAsync();
        }

        Assert.Equal([KeyPurpose.Index], indexKeys.Purposes);
        await instance.Compactor.CompactOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        await instance.Collector.CollectAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal([KeyPurpose.Index, KeyPurpose.Compact, KeyPurpose.Gc], indexKeys.Purposes.Order());
        await instance.SnapshotAsync();
        Assert.Contains(KeyPurpose.CallerRequest, indexKeys.Purposes);
    }

    internal static WalOperation Upsert(DocumentId id, long n, string s) => new() { Upsert = Workload.Upsert(id, n, s, 0.5f) };
}
