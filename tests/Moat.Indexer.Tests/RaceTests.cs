using Moat.Indexer.Compaction;
using Moat.Indexer.Indexing;
using Moat.Indexer.Racer;
using Moat.Storage;

namespace Moat.Indexer.Tests;

/// <summary>Indexers and compactions racing on one namespace, in one process, at deterministic points.</summary>
public sealed class RaceTests : IDisposable
{
    private readonly TempStore _dir = new();
    private readonly FixedKeys _keys = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task An_indexer_that_loses_to_another_indexer_folds_again_from_the_winner_and_applies_nothing_twice()
    {
        var intercepted = new InterceptingStore(_dir.Open());
        var a = new IndexerInstance(intercepted, _keys, IndexerKit.Options());
        var b = new IndexerInstance(_dir.Open(), _keys, IndexerKit.Options());
        await using var queue = IndexerKit.Queue(_dir.Open(), _keys);
        var random = new Mix64(5);
        await IndexerKit.CommitAsync(queue, random, 5, "first");
        await a.IndexAllAsync();

        await IndexerKit.CommitAsync(queue, random, 4, "second");
        string? abandoned = null;
        intercepted.BeforeNextManifestPut(async () =>
        {
            // A has written its segment for 6..9; B folds 6..9 (and two more) and publishes first.
            abandoned = await NewestSegmentIdAsync();
            await IndexerKit.CommitAsync(queue, random, 2, "third");
            Assert.Equal(IndexRunOutcome.Published, (await b.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None)).Outcome);
        });

        var run = await a.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal(1, run.LostRaces);
        Assert.Equal(IndexRunOutcome.UpToDate, run.Outcome); // B's manifest already covers everything

        var chain = await IndexerKit.AssertChainAsync(a.Manifests);
        Assert.Equal(11UL, chain[^1].WalWatermark);
        Assert.DoesNotContain(chain[^1].Segments, s => s.SegmentId == abandoned);
        Assert.NotNull(await intercepted.HeadAsync(StoragePaths.Segment(IndexerKit.Nsid, abandoned!), CancellationToken.None)); // left for GC
        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(intercepted, _keys)), await a.SnapshotAsync());
    }

    [Fact]
    public async Task An_indexer_that_loses_to_a_compaction_rebases_its_segment_onto_the_winner()
    {
        var intercepted = new InterceptingStore(_dir.Open());
        var a = new IndexerInstance(intercepted, _keys, IndexerKit.Options(o => o.MaxSmallSegments = 2));
        var b = new IndexerInstance(_dir.Open(), _keys, IndexerKit.Options(o => o.MaxSmallSegments = 2));
        await using var queue = IndexerKit.Queue(_dir.Open(), _keys);
        var random = new Mix64(6);
        for (var i = 0; i < 3; i++)
        {
            await IndexerKit.CommitAsync(queue, random, 3, $"r{i}");
            await b.IndexAllAsync();
        }

        await IndexerKit.CommitAsync(queue, random, 3, "last");
        intercepted.BeforeNextManifestPut(async () =>
            Assert.Equal(CompactionOutcome.Published, (await b.Compactor.CompactOnceAsync(IndexerKit.Nsid, CancellationToken.None)).Outcome));

        var run = await a.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal((IndexRunOutcome.Published, 1), (run.Outcome, run.LostRaces));

        var chain = await IndexerKit.AssertChainAsync(a.Manifests);
        var latest = chain[^1];
        Assert.Equal(12UL, latest.WalWatermark);
        Assert.Equal(2, latest.Segments.Count); // the merged one and the rebased one
        Assert.Equal(run.SegmentId, latest.Segments[^1].SegmentId);
        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(intercepted, _keys)), await a.SnapshotAsync());
    }

    [Fact]
    public async Task A_compaction_that_loses_to_an_indexer_rebases_the_merge_onto_the_winner()
    {
        var intercepted = new InterceptingStore(_dir.Open());
        var a = new IndexerInstance(intercepted, _keys, IndexerKit.Options(o => o.MaxSmallSegments = 2));
        var b = new IndexerInstance(_dir.Open(), _keys, IndexerKit.Options());
        await using var queue = IndexerKit.Queue(_dir.Open(), _keys);
        var random = new Mix64(7);
        for (var i = 0; i < 3; i++)
        {
            await IndexerKit.CommitAsync(queue, random, 3, $"r{i}");
            await b.IndexAllAsync();
        }

        intercepted.BeforeNextManifestPut(async () =>
        {
            await IndexerKit.CommitAsync(queue, random, 3, "during");
            Assert.Equal(IndexRunOutcome.Published, (await b.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None)).Outcome);
        });

        var compaction = await a.Compactor.CompactOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal(CompactionOutcome.Published, compaction.Outcome);
        Assert.True(compaction.DroppedTombstones);

        var latest = (await IndexerKit.AssertChainAsync(a.Manifests))[^1];
        Assert.Equal(12UL, latest.WalWatermark);
        Assert.Equal([compaction.SegmentId!, latest.Segments[1].SegmentId], latest.Segments.Select(s => s.SegmentId));
        Assert.Equal(10UL, latest.Segments[1].MinSequence);
        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(intercepted, _keys)), await a.SnapshotAsync());
    }

    [Fact]
    public async Task A_compaction_whose_run_was_merged_by_another_is_abandoned()
    {
        var intercepted = new InterceptingStore(_dir.Open());
        var a = new IndexerInstance(intercepted, _keys, IndexerKit.Options(o => o.MaxSmallSegments = 2));
        var b = new IndexerInstance(_dir.Open(), _keys, IndexerKit.Options(o => o.MaxSmallSegments = 2));
        await using var queue = IndexerKit.Queue(_dir.Open(), _keys);
        var random = new Mix64(8);
        for (var i = 0; i < 3; i++)
        {
            await IndexerKit.CommitAsync(queue, random, 3, $"r{i}");
            await b.IndexAllAsync();
        }

        intercepted.BeforeNextManifestPut(async () =>
            Assert.Equal(CompactionOutcome.Published, (await b.Compactor.CompactOnceAsync(IndexerKit.Nsid, CancellationToken.None)).Outcome));

        var compaction = await a.Compactor.CompactOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal(CompactionOutcome.Abandoned, compaction.Outcome);
        var chain = await IndexerKit.AssertChainAsync(a.Manifests);
        Assert.Single(chain[^1].Segments);
        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(intercepted, _keys)), await a.SnapshotAsync());
    }

    [Fact]
    public async Task Four_indexers_and_a_compactor_in_one_process_keep_one_chain_and_the_model_state()
    {
        var options = IndexerKit.Options(o => (o.MaxEntriesPerRun, o.MaxSmallSegments) = (3, 3));
        var instances = Enumerable.Range(0, 4).Select(_ => new IndexerInstance(_dir.Open(), _keys, options)).ToList();
        await using var queue = IndexerKit.Queue(_dir.Open(), _keys);
        var writing = IndexerKit.CommitAsync(queue, new Mix64(10), 60, "w");
        var lost = 0;
        var indexing = instances.Select(instance => Task.Run(async () =>
        {
            while (true)
            {
                var done = writing.IsCompleted;
                var run = await instance.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None);
                Interlocked.Add(ref lost, run.LostRaces);
                await instance.Compactor.CompactOnceAsync(IndexerKit.Nsid, CancellationToken.None);
                if (done && run.Outcome == IndexRunOutcome.UpToDate)
                {
                    return;
                }
            }
        })).ToList();
        await writing;
        await Task.WhenAll(indexing).WaitAsync(TimeSpan.FromMinutes(2));

        var chain = await IndexerKit.AssertChainAsync(instances[0].Manifests);
        Assert.Equal(60UL, chain[^1].WalWatermark);
        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(instances[0].Store, _keys)), await instances[0].SnapshotAsync());
        Console.WriteLine($"in-process race: {chain.Count} manifests, {lost} lost races");
    }

    private async Task<string> NewestSegmentIdAsync()
    {
        var prefix = StoragePaths.NamespaceRoot(IndexerKit.Nsid) + "seg/";
        var newest = (Key: "", When: DateTimeOffset.MinValue);
        await foreach (var item in _dir.Open().ListAsync(prefix, null, CancellationToken.None))
        {
            if (item.LastModified >= newest.When)
            {
                newest = (item.Key[prefix.Length..], item.LastModified);
            }
        }

        return newest.Key;
    }
}
