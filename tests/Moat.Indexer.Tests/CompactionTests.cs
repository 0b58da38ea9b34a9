using Moat.Indexer.Compaction;
using Moat.Indexer.Racer;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Indexer.Tests;

public sealed class CompactionTests : IDisposable
{
    private readonly TempStore _dir = new();
    private readonly FixedKeys _keys = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(11UL)]
    [InlineData(12UL)]
    public async Task Compaction_keeps_the_logical_state_and_drops_tombstones_when_it_merges_from_the_oldest(ulong seed)
    {
        var store = _dir.Open();
        var instance = new IndexerInstance(store, _keys, IndexerKit.Options(o => (o.MaxSmallSegments, o.MaxMergeInputs) = (3, 4)));
        await using var queue = IndexerKit.Queue(store, _keys);
        var random = new Mix64(seed);
        for (var i = 0; i < 6; i++)
        {
            await IndexerKit.CommitAsync(queue, random, 8, $"r{i}");
            await instance.IndexAllAsync();
        }

        var model = Workload.Model(await IndexerKit.ReadWalAsync(store, _keys));
        var before = await instance.SnapshotAsync();
        Assert.Equal(6, before.Segments.Count);
        Assert.True(before.Segments.Sum(s => s.Reader.Tombstones.Count) > 0, "the workload should leave tombstones to drop");

        var first = await instance.Compactor.CompactOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal((CompactionOutcome.Published, 4, true), (first.Outcome, first.InputSegments, first.DroppedTombstones));
        var after = await instance.SnapshotAsync();
        Assert.Equal(3, after.Segments.Count);
        Assert.Equal(0, after.Segments[0].Reader.Tombstones.Count);
        Assert.Equal(before.Watermark, after.Watermark);
        IndexerKit.AssertState(model, after);

        Assert.Equal(CompactionOutcome.NotNeeded, (await instance.Compactor.CompactOnceAsync(IndexerKit.Nsid, CancellationToken.None)).Outcome);
        await IndexerKit.AssertChainAsync(instance.Manifests);
    }

    [Fact]
    public async Task A_merge_that_does_not_include_the_oldest_segment_keeps_its_tombstones()
    {
        var store = _dir.Open();
        var instance = new IndexerInstance(store, _keys, IndexerKit.Options());
        await using var queue = IndexerKit.Queue(store, _keys);
        var id = new DocumentId { U64 = 7 };
        await IndexerKit.CommitAsync(queue, "a", FoldTests.Upsert(id, 1, "old"));
        await instance.IndexAllAsync();
        await IndexerKit.CommitAsync(queue, "b", new WalOperation { Delete = id });
        await instance.IndexAllAsync();
        await IndexerKit.CommitAsync(queue, "c", FoldTests.Upsert(new DocumentId { U64 = 8 }, 2, "other"));
        await instance.IndexAllAsync();

        var manifest = (await instance.Manifests.GetLatestAsync(IndexerKit.Nsid, KeyPurpose.Compact, CancellationToken.None))!;
        var result = await instance.Compactor.CompactAsync(manifest, new CompactionPlan(1, 2), CancellationToken.None);
        Assert.Equal((CompactionOutcome.Published, false), (result.Outcome, result.DroppedTombstones));

        var snapshot = await instance.SnapshotAsync();
        Assert.Equal(2, snapshot.Segments.Count);
        Assert.Equal(1, snapshot.Segments[1].Reader.Tombstones.Count); // still shadows id 7 in the oldest segment
        Assert.Equal([8UL], snapshot.Materialize().Keys.Select(k => k.Lo));

        // Now merging from the oldest drops it, and the id stays deleted.
        manifest = (await instance.Manifests.GetLatestAsync(IndexerKit.Nsid, KeyPurpose.Compact, CancellationToken.None))!;
        result = await instance.Compactor.CompactAsync(manifest, new CompactionPlan(0, 2), CancellationToken.None);
        Assert.True(result.DroppedTombstones);
        snapshot = await instance.SnapshotAsync();
        Assert.Equal(0, snapshot.Segments.Single().Reader.Tombstones.Count);
        Assert.Equal([8UL], snapshot.Materialize().Keys.Select(k => k.Lo));
    }

    [Fact]
    public async Task A_merge_that_leaves_nothing_removes_the_run()
    {
        var store = _dir.Open();
        var instance = new IndexerInstance(store, _keys, IndexerKit.Options(o => o.MaxSmallSegments = 1));
        await using var queue = IndexerKit.Queue(store, _keys);
        var id = new DocumentId { U64 = 3 };
        await IndexerKit.CommitAsync(queue, "a", FoldTests.Upsert(id, 1, "x"));
        await instance.IndexAllAsync();
        await IndexerKit.CommitAsync(queue, "b", new WalOperation { Delete = id });
        await instance.IndexAllAsync();

        var result = await instance.Compactor.CompactOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal((CompactionOutcome.Published, null), (result.Outcome, result.SegmentId));
        var snapshot = await instance.SnapshotAsync();
        Assert.Empty(snapshot.Segments);
        Assert.Equal(2UL, snapshot.Watermark);
    }

    [Fact]
    public void The_plan_takes_the_longest_run_of_small_segments_within_the_limits()
    {
        var options = IndexerKit.Options(o => (o.SmallSegmentBytes, o.MaxSmallSegments, o.MaxMergeInputs, o.MaxMergeBytes) = (100, 2, 3, 1000));
        Assert.Null(CompactionPlan.For(Manifest(500, 10, 10), options)); // two small: not more than allowed
        Assert.Equal(new CompactionPlan(1, 3), CompactionPlan.For(Manifest(500, 10, 10, 10, 10, 500, 10), options)); // capped at 3 inputs
        Assert.Equal(new CompactionPlan(0, 2), CompactionPlan.For(Manifest(10, 10, 500, 10, 500, 10), options));
        Assert.Equal(new CompactionPlan(0, 2), CompactionPlan.For(Manifest(10, 500, 10, 500, 10), options)); // only lone small ones
        Assert.Equal(new CompactionPlan(1, 3), CompactionPlan.For(Manifest(500, 90, 90, 90, 900), options));
        options.MaxMergeBytes = 200;
        Assert.Equal(new CompactionPlan(1, 2), CompactionPlan.For(Manifest(500, 90, 90, 90, 900), options)); // capped by bytes
    }

    private static Manifest Manifest(params ulong[] sizes)
    {
        var manifest = new Manifest { Version = 1, NamespaceId = IndexerKit.Nsid };
        for (var i = 0; i < sizes.Length; i++)
        {
            manifest.Segments.Add(new ManifestSegment { SegmentId = $"s{i}", ByteSize = sizes[i], MinSequence = (ulong)i + 1, MaxSequence = (ulong)i + 1 });
        }

        return manifest;
    }
}
