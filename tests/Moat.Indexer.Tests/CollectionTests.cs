using Microsoft.Extensions.Time.Testing;
using Moat.Indexer.Compaction;
using Moat.Indexer.Configuration;
using Moat.Indexer.Racer;
using Moat.Indexer.SegmentStore;
using Moat.Internal.V1;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Wal;

namespace Moat.Indexer.Tests;

/// <summary>
/// GC on a fake clock. The store stamps objects with the real time, so the fake clock starts at the
/// real now: advancing it ages every object by the same amount.
/// </summary>
public sealed class CollectionTests : IDisposable
{
    private readonly TempStore _dir = new();
    private readonly FixedKeys _keys = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Nothing_is_deleted_inside_the_grace_and_after_it_garbage_goes_and_the_state_stays()
    {
        var store = _dir.Open();
        var options = IndexerKit.Options(o => (o.KeepManifests, o.MaxSmallSegments) = (2, 3));
        var instance = new IndexerInstance(store, _keys, options, _time);
        await using (var queue = IndexerKit.Queue(store, _keys))
        {
            var random = new Mix64(21);
            for (var i = 0; i < 4; i++)
            {
                await IndexerKit.CommitAsync(queue, random, 5, $"r{i}");
                await instance.IndexAllAsync();
            }
        }

        var wal = await IndexerKit.ReadWalAsync(store, _keys);
        var model = Workload.Model(wal);
        var held = (await instance.SnapshotAsync()).Manifest!; // a reader loads manifest 4 ...
        Assert.Equal(CompactionOutcome.Published, (await instance.Compactor.CompactOnceAsync(IndexerKit.Nsid, CancellationToken.None)).Outcome);
        var orphan = await instance.Segments.WriteAsync(IndexerKit.Nsid, Moat.Segments.Indexing.WalFold.Fold(wal.Take(1)), Workload.Schema, null, KeyPurpose.Index, CancellationToken.None);
        var all = await CountAsync(store);
        Assert.Equal((20, 6, 5), all); // 20 entries; 4 + merged + orphan segments; 5 manifests

        // Inside the grace: nothing goes, and the reader of manifest 4 still reads all of it.
        Assert.Equal(0, (await instance.Collector.CollectAsync(IndexerKit.Nsid, CancellationToken.None)).Total);
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, (await instance.Collector.CollectAsync(IndexerKit.Nsid, CancellationToken.None)).Total);
        Assert.Equal(all, await CountAsync(store));
        var fresh = new SegmentObjects(store, _keys, options); // no cache: reads the store
        foreach (var segment in held.Segments)
        {
            await fresh.ReadAsync(IndexerKit.Nsid, segment, KeyPurpose.CallerRequest, CancellationToken.None);
        }

        // Past the grace: the segments only old manifests named, the orphan and old manifests go; the WAL stays (retention).
        _time.Advance(TimeSpan.FromMinutes(6));
        var collected = await instance.Collector.CollectAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal(new Collection.CollectionResult(0, 5, 3), collected);
        Assert.Null(await store.HeadAsync(StoragePaths.Segment(IndexerKit.Nsid, orphan.SegmentId), CancellationToken.None));
        await Assert.ThrowsAsync<SegmentMissingException>(() => new SegmentObjects(store, _keys, options).ReadAsync(IndexerKit.Nsid, held.Segments[0], KeyPurpose.CallerRequest, CancellationToken.None));
        Assert.Equal((20, 1, 2), await CountAsync(store));
        IndexerKit.AssertState(model, await new IndexerInstance(store, _keys, options, _time).SnapshotAsync());

        // Past the WAL retention: folded entries go, except the newest one.
        _time.Advance(TimeSpan.FromHours(24));
        collected = await instance.Collector.CollectAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal(new Collection.CollectionResult(19, 0, 0), collected);
        Assert.Equal((1, 1, 2), await CountAsync(store));
        var after = await new IndexerInstance(store, _keys, options, _time).SnapshotAsync();
        Assert.Empty(after.Tail);
        IndexerKit.AssertState(model, after);

        // A writer starting afresh continues after the newest entry; nothing is reused.
        await using (var queue = IndexerKit.Queue(_dir.Open(), _keys))
        {
            var ack = await IndexerKit.CommitAsync(queue, "later", FoldTests.Upsert(new Moat.V1.DocumentId { U64 = 1000 }, 5, "later"));
            Assert.Equal(21L, ack.Sequence);
            Workload.Apply(model, FoldTests.Upsert(new Moat.V1.DocumentId { U64 = 1000 }, 5, "later"));
        }

        await instance.IndexAllAsync();
        IndexerKit.AssertState(model, await instance.SnapshotAsync());
        await IndexerKit.AssertChainAsync(instance.Manifests);
    }

    [Fact]
    public async Task WAL_entries_a_protected_older_manifest_still_needs_are_kept_past_the_retention()
    {
        var store = _dir.Open();
        var instance = new IndexerInstance(store, _keys, IndexerKit.Options(), _time);
        await using var queue = IndexerKit.Queue(store, _keys);
        var random = new Mix64(22);
        await IndexerKit.CommitAsync(queue, random, 5, "a");
        await instance.IndexAllAsync(); // manifest 1, watermark 5
        await IndexerKit.CommitAsync(queue, random, 5, "b");

        _time.Advance(TimeSpan.FromHours(25)); // the indexer was away for a day
        await instance.IndexAllAsync(); // manifest 2, watermark 10; manifest 1 superseded just now
        var collected = await instance.Collector.CollectAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal(5, collected.WalEntriesDeleted); // 1..5 only: a reader of manifest 1 reads 6..10 from the WAL

        _time.Advance(TimeSpan.FromMinutes(16));
        collected = await instance.Collector.CollectAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal(4, collected.WalEntriesDeleted); // 6..9; 10 is the newest
        Assert.Equal(10L, await new WalReader(store, _keys.ForWal()).GetLastSequenceAsync(IndexerKit.Nsid, CancellationToken.None));
    }

    [Fact]
    public async Task A_namespace_without_a_manifest_keeps_its_WAL()
    {
        var store = _dir.Open();
        var instance = new IndexerInstance(store, _keys, IndexerKit.Options(), _time);
        await using var queue = IndexerKit.Queue(store, _keys);
        await IndexerKit.CommitAsync(queue, new Mix64(23), 3, "a");
        _time.Advance(TimeSpan.FromDays(3));
        Assert.Equal(0, (await instance.Collector.CollectAsync(IndexerKit.Nsid, CancellationToken.None)).Total);
        Assert.Equal(3, (await IndexerKit.ReadWalAsync(store, _keys)).Count);
    }

    [Theory]
    [InlineData("WalRetention", "Indexer:WalRetention must be at least 1.00:00:00")]
    [InlineData("ReaderGrace", "Indexer:ReaderGrace must be at least 00:01:00")]
    [InlineData("KeepManifests", "Indexer:KeepManifests must be at least 2")]
    public void Options_are_validated_with_the_setting_named(string setting, string message)
    {
        var options = new IndexerOptions();
        switch (setting)
        {
            case "WalRetention":
                options.WalRetention = TimeSpan.FromHours(23);
                break;
            case "ReaderGrace":
                options.ReaderGrace = TimeSpan.FromSeconds(5);
                break;
            default:
                options.KeepManifests = 1;
                break;
        }

        var error = Assert.Throws<ArgumentException>(options.ThrowIfInvalid);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.False(new IndexerOptionsValidator().Validate(null, options).Succeeded);
        Assert.True(new IndexerOptionsValidator().Validate(null, new IndexerOptions()).Succeeded);
    }

    private static async Task<(int Wal, int Segments, int Manifests)> CountAsync(IObjectStore store)
    {
        var root = StoragePaths.NamespaceRoot(IndexerKit.Nsid);
        async Task<int> Count(string folder)
        {
            var n = 0;
            await foreach (var _ in store.ListAsync(root + folder, null, CancellationToken.None))
            {
                n++;
            }

            return n;
        }

        return (await Count("wal/"), await Count("seg/"), await Count("manifest/"));
    }
}
