using Moat.Indexer.Racer;
using Moat.Storage.ObjectStore;

namespace Moat.Indexer.Tests;

/// <summary>The indexer and compaction over a store that fails, loses answers, hangs and is slow.</summary>
public sealed class FaultTests : IDisposable
{
    private readonly TempStore _dir = new();
    private readonly FixedKeys _keys = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(41UL)]
    [InlineData(42UL)]
    [InlineData(43UL)]
    public async Task Under_random_faults_every_published_manifest_is_true_and_nothing_is_lost_or_applied_twice(ulong seed)
    {
        var clean = _dir.Open();
        var faulty = new FaultyObjectStore(_dir.Open(), seed) { SlowDelay = TimeSpan.FromMilliseconds(30), HangLimit = TimeSpan.FromSeconds(5) };
        faulty.SetRandomFaults(ObjectStoreOperations.All, failBefore: 0.03, failAfter: 0.03, hangBefore: 0.01, hangAfter: 0.01, slow: 0.05);
        var options = IndexerKit.Options(o => (o.StoreCallTimeout, o.MaxEntriesPerRun, o.MaxSmallSegments) = (TimeSpan.FromSeconds(1), 5, 2));
        var instance = new IndexerInstance(faulty, _keys, options);
        await using var queue = IndexerKit.Queue(clean, _keys);
        var random = new Mix64(seed);
        var (runs, failures) = (0, 0);
        for (var round = 0; round < 8; round++)
        {
            await IndexerKit.CommitAsync(queue, random, 4, $"r{round}");
            for (var attempt = 0; attempt < 3; attempt++)
            {
                runs++;
                try
                {
                    await instance.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None);
                    await instance.Compactor.CompactOnceAsync(IndexerKit.Nsid, CancellationToken.None);
                }
                catch (Exception e) when (e is ObjectStoreException or OperationCanceledException or Store.CreateOutcomeUnknownException or Manifests.ManifestPublishException)
                {
                    failures++;
                }
            }

            // Whatever happened, what is published is true (checked through a store without faults).
            var chain = await IndexerKit.AssertChainAsync(new IndexerInstance(clean, _keys, IndexerKit.Options()).Manifests);
            await IndexerKit.AssertEveryManifestTrueAsync(clean, _keys, chain, await IndexerKit.ReadWalAsync(clean, _keys));
        }

        faulty.ClearFaults();
        await instance.IndexAllAsync();
        var wal = await IndexerKit.ReadWalAsync(clean, _keys);
        Assert.Equal(32, wal.Count);
        var final = await IndexerKit.AssertChainAsync(instance.Manifests);
        Assert.Equal(32UL, final[^1].WalWatermark);
        await IndexerKit.AssertEveryManifestTrueAsync(clean, _keys, final, wal);
        IndexerKit.AssertState(Workload.Model(wal), await new IndexerInstance(clean, _keys, IndexerKit.Options()).SnapshotAsync());
        Assert.True(faulty.InjectedFaults > 0);
        Console.WriteLine($"faults seed {seed}: {faulty.InjectedFaults} faults injected, {failures} of {runs} runs failed, {final.Count} manifests");
    }

    [Fact]
    public async Task A_lost_answer_on_the_manifest_put_is_resolved_by_reading_it_back()
    {
        var faulty = new FaultyObjectStore(_dir.Open());
        var instance = new IndexerInstance(faulty, _keys, IndexerKit.Options(o => o.StoreCallTimeout = TimeSpan.FromSeconds(2)));
        await using var queue = IndexerKit.Queue(_dir.Open(), _keys);
        await IndexerKit.CommitAsync(queue, new Mix64(44), 3, "a");
        faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.None); // the segment
        faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.FailAfter); // the manifest: applied, answer lost

        var run = await instance.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal((Indexing.IndexRunOutcome.Published, 0), (run.Outcome, run.LostRaces));
        Assert.Equal(2, faulty.Applied(ObjectStoreOperations.PutIfAbsent)); // no second manifest put: the read back found ours
        Assert.Single(await IndexerKit.AssertChainAsync(instance.Manifests));
    }

    [Fact]
    public async Task A_manifest_put_that_hangs_before_the_store_is_put_again_once_read_back_finds_nothing()
    {
        var faulty = new FaultyObjectStore(_dir.Open());
        var instance = new IndexerInstance(faulty, _keys, IndexerKit.Options(o => o.StoreCallTimeout = TimeSpan.FromSeconds(2)));
        await using var queue = IndexerKit.Queue(_dir.Open(), _keys);
        await IndexerKit.CommitAsync(queue, new Mix64(45), 3, "a");
        faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.None);
        faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.HangBefore);

        var run = await instance.Indexer.RunOnceAsync(IndexerKit.Nsid, CancellationToken.None);
        Assert.Equal(Indexing.IndexRunOutcome.Published, run.Outcome);
        Assert.Equal(3, faulty.Calls(ObjectStoreOperations.PutIfAbsent));
        Assert.Equal(2, faulty.Applied(ObjectStoreOperations.PutIfAbsent));
        Assert.Single(await IndexerKit.AssertChainAsync(instance.Manifests));
    }
}
