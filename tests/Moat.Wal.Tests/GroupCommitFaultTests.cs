using System.Collections.Concurrent;
using System.Globalization;
using Moat.Storage.ObjectStore;
using Xunit.Abstractions;

namespace Moat.Wal.Tests;

/// <summary>Faults from <see cref="FaultyObjectStore"/>: an error or a true success, nothing acknowledged lost, nothing applied twice.</summary>
public class GroupCommitFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(ObjectStoreFault.FailBefore)]
    [InlineData(ObjectStoreFault.FailAfter)]
    [InlineData(ObjectStoreFault.HangBefore)]
    [InlineData(ObjectStoreFault.HangAfter)]
    public async Task A_put_without_an_answer_is_resolved_by_reading_back_and_acknowledged_once(ObjectStoreFault fault)
    {
        using var temp = new TempStore();
        var keys = new TestKeys();
        var store = new FaultyObjectStore(temp.Open()) { HangLimit = TimeSpan.FromSeconds(10) };
        store.Enqueue(ObjectStoreOperations.PutIfAbsent, fault);
        await using var queue = new GroupCommitQueue(store, keys, WalTestKit.Options(o => o.StoreCallTimeout = TimeSpan.FromMilliseconds(200)));

        var ack = await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("x"), CancellationToken.None).WaitAsync(TestTimeout);
        var next = await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("y"), CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Equal(1, ack.Sequence);
        Assert.Equal(2, next.Sequence);
        var applied = fault is ObjectStoreFault.FailAfter or ObjectStoreFault.HangAfter;
        Assert.Equal(applied ? 2 : 3, store.Calls(ObjectStoreOperations.PutIfAbsent)); // a second put only when read back found none
        WalTestKit.AssertConsistent(await WalTestKit.ReadAllAsync(temp.Open(), keys), new Dictionary<string, WalAck> { ["x"] = ack, ["y"] = next });
    }

    [Fact]
    public async Task Over_a_resilient_store_a_lost_answer_is_acknowledged_once()
    {
        using var temp = new TempStore();
        var keys = new TestKeys();
        var faulty = new FaultyObjectStore(temp.Open());
        faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.FailAfter);
        var resilient = new ResilientObjectStore(faulty, new ResilientObjectStoreOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(1) });
        await using var queue = new GroupCommitQueue(resilient, keys, WalTestKit.Options());

        var ack = await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("x"), CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Equal(1, ack.Sequence);
        Assert.Equal(1, faulty.Applied(ObjectStoreOperations.PutIfAbsent));
        WalTestKit.AssertConsistent(await WalTestKit.ReadAllAsync(temp.Open(), keys), new Dictionary<string, WalAck> { ["x"] = ack });
    }

    [Fact]
    public async Task An_unreadable_outcome_fails_the_batch_as_unknown_and_the_next_batch_finds_the_tail()
    {
        using var temp = new TempStore();
        var keys = new TestKeys();
        var store = new FaultyObjectStore(temp.Open());
        store.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.FailAfter);
        store.Enqueue(ObjectStoreOperations.Get, ObjectStoreFault.FailBefore, 3);
        await using var queue = new GroupCommitQueue(store, keys, WalTestKit.Options(o => o.MaxReadBackAttempts = 3));

        var e = await Assert.ThrowsAsync<WalCommitException>(() => queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("x"), CancellationToken.None).WaitAsync(TestTimeout));
        Assert.True(e.MayHaveBeenApplied);
        Assert.Equal(1, e.Sequence);

        var next = await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("y"), CancellationToken.None).WaitAsync(TestTimeout);
        Assert.Equal(2, next.Sequence); // "x" did land at 1: the tail was read again, not assumed
        WalTestKit.AssertConsistent(await WalTestKit.ReadAllAsync(temp.Open(), keys), new Dictionary<string, WalAck> { ["y"] = next });
    }

    [Fact]
    public async Task Puts_that_never_answer_fail_the_batch_instead_of_acknowledging_it()
    {
        using var temp = new TempStore();
        var keys = new TestKeys();
        var store = new FaultyObjectStore(temp.Open());
        store.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.FailBefore, 3);
        await using var queue = new GroupCommitQueue(store, keys, WalTestKit.Options(o => o.MaxPutsPerSequence = 3));

        var e = await Assert.ThrowsAsync<WalCommitException>(() => queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("x"), CancellationToken.None).WaitAsync(TestTimeout));
        Assert.True(e.MayHaveBeenApplied);
        Assert.Empty(await WalTestKit.ReadAllAsync(temp.Open(), keys));
    }

    [Fact]
    public async Task A_failed_listing_fails_the_batch_as_not_applied()
    {
        using var temp = new TempStore();
        var store = new FaultyObjectStore(temp.Open());
        store.Enqueue(ObjectStoreOperations.List, ObjectStoreFault.FailBefore);
        await using var queue = new GroupCommitQueue(store, new TestKeys(), WalTestKit.Options());

        var e = await Assert.ThrowsAsync<WalCommitException>(() => queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("x"), CancellationToken.None).WaitAsync(TestTimeout));
        Assert.False(e.MayHaveBeenApplied);
        Assert.Equal(1, (await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("y"), CancellationToken.None).WaitAsync(TestTimeout)).Sequence);
    }

    [Theory]
    [InlineData(11UL)]
    [InlineData(12UL)]
    [InlineData(13UL)]
    public async Task Random_faults_give_an_error_or_a_true_success_and_apply_nothing_twice(ulong seed)
    {
        using var temp = new TempStore();
        var keys = new TestKeys();
        var faulty = new FaultyObjectStore(temp.Open(), seed) { HangLimit = TimeSpan.FromSeconds(2) };
        faulty.SetRandomFaults(ObjectStoreOperations.PutIfAbsent | ObjectStoreOperations.Get | ObjectStoreOperations.List,
            failBefore: 0.15, failAfter: 0.15, hangBefore: 0.05, hangAfter: 0.05);
        var other = new FaultyObjectStore(temp.Open(), seed + 100) { HangLimit = TimeSpan.FromSeconds(2) };
        other.SetRandomFaults(ObjectStoreOperations.PutIfAbsent | ObjectStoreOperations.Get, failAfter: 0.2);
        var options = WalTestKit.Options(o =>
        {
            o.StoreCallTimeout = TimeSpan.FromMilliseconds(100);
            o.Window = TimeSpan.FromMilliseconds(1);
            o.MaxWritesPerEntry = 3; // more entries, so more puts meet a fault
        });
        await using var a = new GroupCommitQueue(faulty, keys, options);
        await using var b = new GroupCommitQueue(other, keys, options);

        var acked = new ConcurrentDictionary<string, WalAck>(StringComparer.Ordinal);
        var notApplied = new ConcurrentBag<string>();
        var failed = 0;
        var workers = Enumerable.Range(0, 12).Select(worker => Task.Run(async () =>
        {
            var queue = worker % 3 == 0 ? b : a;
            for (var i = 0; i < 12; i++)
            {
                var marker = string.Create(CultureInfo.InvariantCulture, $"m-{worker}-{i}");
                try
                {
                    acked[marker] = await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write(marker), CancellationToken.None);
                }
                catch (WalCommitException e)
                {
                    Interlocked.Increment(ref failed);
                    if (!e.MayHaveBeenApplied)
                    {
                        notApplied.Add(marker);
                    }
                }
            }
        })).ToList();
        await Task.WhenAll(workers).WaitAsync(TestTimeout);

        output.WriteLine($"acknowledged {acked.Count}, failed {failed} (not applied {notApplied.Count}), faults injected {faulty.InjectedFaults + other.InjectedFaults}, puts {faulty.Calls(ObjectStoreOperations.PutIfAbsent) + other.Calls(ObjectStoreOperations.PutIfAbsent)}");
        Assert.True(faulty.InjectedFaults > 0);
        Assert.Equal(12 * 12, acked.Count + failed);
        Assert.NotEmpty(acked);
        var entries = await WalTestKit.ReadAllAsync(temp.Open(), keys);
        output.WriteLine($"entries {entries.Count}, writes in the WAL {entries.Sum(e => e.Writes.Count)}");
        WalTestKit.AssertConsistent(entries, acked); // every ack holds, every write at most once
        var written = entries.SelectMany(e => e.Writes).Select(w => w.IdempotencyKey).ToHashSet(StringComparer.Ordinal);
        Assert.All(notApplied, marker => Assert.DoesNotContain(marker, written));
    }
}
