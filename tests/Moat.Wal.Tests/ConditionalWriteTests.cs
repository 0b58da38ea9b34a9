using System.Collections.Concurrent;

namespace Moat.Wal.Tests;

/// <summary>
/// Conditional writes (the namespace version condition): committed alone at exactly the expected
/// version + 1, or not at all; correct under group commit and against another writer process. And
/// the commit listeners the indexer plugs into.
/// </summary>
public class ConditionalWriteTests
{
    [Fact]
    public async Task A_conditional_write_commits_right_after_the_expected_version_or_fails_with_the_current_one()
    {
        using var temp = new TempStore();
        var store = temp.Open();
        var keys = new TestKeys();
        await using var queue = new GroupCommitQueue(store, keys, WalTestKit.Options());

        Assert.Equal(1, (await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("first"), 0, CancellationToken.None)).Sequence);
        var again = await Assert.ThrowsAsync<WalConditionFailedException>(() => queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("again"), 0, CancellationToken.None));
        Assert.Equal(1, again.CurrentVersion);
        Assert.Equal(0, again.ExpectedVersion);

        Assert.Equal(2, (await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("second"), 1, CancellationToken.None)).Sequence);
        var future = await Assert.ThrowsAsync<WalConditionFailedException>(() => queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("future"), 5, CancellationToken.None));
        Assert.Equal(2, future.CurrentVersion);

        var entries = await WalTestKit.ReadAllAsync(store, keys);
        Assert.Equal(["first", "second"], entries.SelectMany(e => e.Writes).Select(w => w.IdempotencyKey));

        // An unconditional write after a failed condition goes on at the tail.
        Assert.Equal(3, (await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("after"), CancellationToken.None)).Sequence);
    }

    [Fact]
    public async Task Under_group_commit_a_conditional_write_is_committed_alone()
    {
        using var temp = new TempStore();
        var store = temp.Open();
        var keys = new TestKeys();
        await using var queue = new GroupCommitQueue(store, keys, WalTestKit.Options(o => o.Window = TimeSpan.FromMilliseconds(20)));

        var plain = Enumerable.Range(0, 20).Select(i => queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write($"p{i}"), CancellationToken.None)).ToList();
        var conditional = queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("cond"), 1, CancellationToken.None);
        var more = Enumerable.Range(0, 20).Select(i => queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write($"q{i}"), CancellationToken.None)).ToList();
        await Task.WhenAll(plain.Concat(more));
        var ack = await conditional;

        var entries = await WalTestKit.ReadAllAsync(store, keys);
        var held = entries.Single(e => e.Writes.Any(w => w.IdempotencyKey == "cond"));
        Assert.Single(held.Writes);
        Assert.Equal((ulong)ack.Sequence, held.Sequence);
        Assert.Equal(2, ack.Sequence); // the 20 writes before it were one entry (1), it came right after
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (ulong)i), entries.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Two_writer_processes_racing_conditional_writes_on_one_version_commit_exactly_one()
    {
        using var temp = new TempStore();
        var keys = new TestKeys();
        await using var a = new GroupCommitQueue(temp.Open(), keys, WalTestKit.Options());
        await using var b = new GroupCommitQueue(temp.Open(), keys, WalTestKit.Options());
        Assert.Equal(1, (await a.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("base"), CancellationToken.None)).Sequence);
        Assert.Equal(2, (await b.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("b-learns-the-tail"), CancellationToken.None)).Sequence);

        for (var round = 0; round < 20; round++)
        {
            var expected = 2L + round;
            var results = await Task.WhenAll(
                Outcome(a.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write($"a{round}"), expected, CancellationToken.None)),
                Outcome(b.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write($"b{round}"), expected, CancellationToken.None)));
            Assert.Single(results, r => r == expected + 1);
            Assert.Single(results, r => r == -1);
        }

        var entries = await WalTestKit.ReadAllAsync(temp.Open(), keys);
        Assert.Equal(22, entries.Count);
        Assert.All(entries, e => Assert.Single(e.Writes));
    }

    [Fact]
    public async Task Commit_listeners_hear_of_every_entry_after_its_writes_are_acknowledged()
    {
        using var temp = new TempStore();
        var keys = new TestKeys();
        var heard = new ConcurrentQueue<(string Nsid, long Sequence, int Writes)>();
        var listener = new Listener((nsid, sequence, writes) => heard.Enqueue((nsid, sequence, writes)));
        var failing = new Listener((_, _, _) => throw new InvalidOperationException("a broken listener"));
        await using var queue = new GroupCommitQueue(temp.Open(), keys, WalTestKit.Options(), listeners: [failing, listener]);

        var acks = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write($"l{i}"), CancellationToken.None)));
        var last = acks.Max(a => a.Sequence);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (heard.Sum(h => h.Writes) < 10 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(10, heard.Sum(h => h.Writes));
        Assert.Equal(last, heard.Max(h => h.Sequence));
        Assert.All(heard, h => Assert.Equal(WalTestKit.Nsid, h.Nsid));
    }

    private static async Task<long> Outcome(Task<WalAck> submission)
    {
        try
        {
            return (await submission).Sequence;
        }
        catch (WalConditionFailedException)
        {
            return -1;
        }
    }

    private sealed class Listener(Action<string, long, int> heard) : ICommitListener
    {
        public void OnCommitted(string namespaceId, long sequence, DateTimeOffset committedAt, int writes) => heard(namespaceId, sequence, writes);
    }
}
