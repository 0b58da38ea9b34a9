using System.Collections.Concurrent;
using System.Globalization;
using Moat.Storage.ObjectStore;

namespace Moat.Wal.Tests;

/// <summary>Two writer instances (two store instances over one directory, as two processes) on one namespace.</summary>
public class GroupCommitRaceTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_loser_of_a_sequence_retries_its_batch_at_the_next_free_one()
    {
        using var temp = new TempStore();
        var keys = new TestKeys();
        var storeB = new FaultyObjectStore(temp.Open());
        await using var a = new GroupCommitQueue(temp.Open(), keys, WalTestKit.Options());
        await using var b = new GroupCommitQueue(storeB, keys, WalTestKit.Options());

        Assert.Equal(1, (await b.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("b1"), CancellationToken.None)).Sequence); // b now expects 2 next
        Assert.Equal(2, (await a.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("a1"), CancellationToken.None)).Sequence);
        Assert.Equal(3, (await a.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("a2"), CancellationToken.None)).Sequence);
        var late = await b.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("b2"), CancellationToken.None);

        Assert.Equal(4, late.Sequence);
        Assert.Equal(2, storeB.Calls(ObjectStoreOperations.PutIfAbsent) - 1); // lost 2, then won 4
        var entries = await WalTestKit.ReadAllAsync(temp.Open(), keys);
        WalTestKit.AssertConsistent(entries, new Dictionary<string, WalAck> { ["b2"] = late });
        Assert.Equal(["b1", "a1", "a2", "b2"], entries.Select(e => e.Writes.Single().IdempotencyKey));
    }

    [Fact]
    public async Task Two_instances_racing_on_one_namespace_lose_no_write_and_never_share_a_sequence()
    {
        using var temp = new TempStore();
        var keys = new TestKeys();
        await using var a = new GroupCommitQueue(temp.Open(), keys, WalTestKit.Options(o => o.Window = TimeSpan.FromMilliseconds(1)));
        await using var b = new GroupCommitQueue(temp.Open(), keys, WalTestKit.Options(o => o.Window = TimeSpan.Zero));

        var acked = new ConcurrentDictionary<string, WalAck>(StringComparer.Ordinal);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = new List<Task>();
        foreach (var (queue, name) in new[] { (a, "a"), (b, "b") })
        {
            for (var worker = 0; worker < 16; worker++)
            {
                var id = worker;
                workers.Add(Task.Run(async () =>
                {
                    await start.Task;
                    for (var i = 0; i < 6; i++)
                    {
                        var marker = string.Create(CultureInfo.InvariantCulture, $"{name}-{id}-{i}");
                        acked[marker] = await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write(marker), CancellationToken.None);
                    }
                }));
            }
        }

        start.SetResult();
        await Task.WhenAll(workers).WaitAsync(TestTimeout);

        var entries = await WalTestKit.ReadAllAsync(temp.Open(), keys);
        Assert.Equal(2 * 16 * 6, acked.Count);
        WalTestKit.AssertConsistent(entries, acked);
        Assert.Equal(acked.Count, entries.Sum(e => e.Writes.Count));

        // No sequence holds writes of both instances' batches: an entry is one instance's batch.
        Assert.All(entries, e => Assert.Single(e.Writes.Select(w => w.IdempotencyKey[0]).Distinct()));
        Assert.Contains(entries, e => e.Writes[0].IdempotencyKey[0] == 'a');
        Assert.Contains(entries, e => e.Writes[0].IdempotencyKey[0] == 'b');
    }
}
