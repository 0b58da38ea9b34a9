using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Moat.Storage.ObjectStore;

namespace Moat.Wal.Tests;

public class GroupCommitQueueTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(2)]
    [InlineData(0)]
    public async Task Concurrent_submitters_are_batched_into_fewer_dense_entries_that_hold_every_write(int windowMs)
    {
        using var temp = new TempStore();
        var store = temp.Open();
        var keys = new TestKeys();
        await using var queue = new GroupCommitQueue(store, keys, WalTestKit.Options(o => o.Window = TimeSpan.FromMilliseconds(windowMs)));

        var acked = await SubmitConcurrentlyAsync(queue, "w", 64);

        var entries = await WalTestKit.ReadAllAsync(store, keys);
        Assert.InRange(entries.Count, 1, 63);
        WalTestKit.AssertConsistent(entries, acked);
        Assert.Equal(64, entries.Sum(e => e.Writes.Count));
        Assert.All(entries, e => Assert.Equal(WalTestKit.Nsid, e.NamespaceId));
    }

    [Fact]
    public async Task A_lone_writer_waits_for_the_window_once_then_no_more()
    {
        using var temp = new TempStore();
        var store = temp.Open();
        var keys = new TestKeys();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow); // the window elapses only when the test advances it
        await using var queue = new GroupCommitQueue(store, keys, WalTestKit.Options(o => o.Window = TimeSpan.FromSeconds(1)), time);

        var first = queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("first"), CancellationToken.None);
        await Task.Delay(200);
        Assert.False(first.IsCompleted); // company is unknown yet: the first batch waits the window
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await first.WaitAsync(TestTimeout)).Sequence);

        // One write at a time, each after the last acknowledgement: committed without the clock moving.
        for (var i = 2; i <= 4; i++)
        {
            var ack = await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("lone-" + i.ToString(CultureInfo.InvariantCulture)), CancellationToken.None).WaitAsync(TestTimeout);
            Assert.Equal(i, ack.Sequence);
        }

        var entries = await WalTestKit.ReadAllAsync(store, keys);
        Assert.Equal(4, entries.Count);
        Assert.All(entries, e => Assert.Single(e.Writes));
    }

    [Fact]
    public async Task A_zero_window_batches_what_arrives_while_a_put_is_in_flight()
    {
        using var temp = new TempStore();
        var keys = new TestKeys();
        var slow = new FaultyObjectStore(temp.Open()) { SlowDelay = TimeSpan.FromMilliseconds(50) };
        slow.SetRandomFaults(ObjectStoreOperations.PutIfAbsent, slow: 1);
        await using var queue = new GroupCommitQueue(slow, keys, WalTestKit.Options(o => o.Window = TimeSpan.Zero));

        var acked = await SubmitConcurrentlyAsync(queue, "z", 64);

        var entries = await WalTestKit.ReadAllAsync(temp.Open(), keys);
        WalTestKit.AssertConsistent(entries, acked);
        Assert.InRange(entries.Count, 1, 8);
    }

    [Fact]
    public async Task Sequences_continue_after_the_existing_tail_and_each_namespace_has_its_own()
    {
        using var temp = new TempStore();
        var store = temp.Open();
        var keys = new TestKeys();
        await using (var first = new GroupCommitQueue(store, keys, WalTestKit.Options()))
        {
            Assert.Equal(1, (await first.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("a"), CancellationToken.None)).Sequence);
            Assert.Equal(2, (await first.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("b"), CancellationToken.None)).Sequence);
        }

        await using var second = new GroupCommitQueue(temp.Open(), keys, WalTestKit.Options());
        Assert.Equal(3, (await second.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("c"), CancellationToken.None)).Sequence);
        Assert.Equal(1, (await second.SubmitAsync("ns0002", WalTestKit.Write("d"), CancellationToken.None)).Sequence);

        var reader = new WalReader(store, keys);
        Assert.Equal(3, await reader.GetLastSequenceAsync(WalTestKit.Nsid, CancellationToken.None));
        var tail = new List<ulong>();
        await foreach (var entry in reader.ReadAsync(WalTestKit.Nsid, 2, CancellationToken.None))
        {
            tail.Add(entry.Sequence);
        }

        Assert.Equal([2UL, 3UL], tail);
        Assert.Null(await reader.ReadEntryAsync(WalTestKit.Nsid, 99, CancellationToken.None));
        Assert.Equal("d", (await reader.ReadEntryAsync("ns0002", 1, CancellationToken.None))!.Writes[0].IdempotencyKey);
    }

    [Fact]
    public async Task A_full_namespace_queue_fails_fast_and_takes_writes_again_once_drained()
    {
        using var temp = new TempStore();
        var keys = new TestKeys();
        var store = new FaultyObjectStore(temp.Open());
        store.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.HangBefore); // the first commit stalls
        await using var queue = new GroupCommitQueue(store, keys, WalTestKit.Options(o =>
        {
            o.Window = TimeSpan.Zero;
            o.MaxQueuedWritesPerNamespace = 4;
            o.StoreCallTimeout = TimeSpan.FromMilliseconds(300);
        }));

        var accepted = Enumerable.Range(0, 4).Select(i => queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write($"q{i}"), CancellationToken.None)).ToList();
        var full = Assert.Throws<WalQueueFullException>(() => { _ = queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("q4"), CancellationToken.None); });
        Assert.Equal(4, full.Limit);
        Assert.Equal(WalTestKit.Nsid, full.NamespaceId);

        var acks = await Task.WhenAll(accepted).WaitAsync(TestTimeout);
        Assert.All(acks, ack => Assert.True(ack.Sequence >= 1));
        var late = await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("q5"), CancellationToken.None).WaitAsync(TestTimeout);
        Assert.True(late.Sequence > acks.Max(a => a.Sequence));
        Assert.Equal(0, queue.QueuedWrites);
    }

    [Fact]
    public async Task The_total_limit_covers_all_namespaces()
    {
        using var temp = new TempStore();
        var store = new FaultyObjectStore(temp.Open());
        store.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.HangBefore, 2);
        await using var queue = new GroupCommitQueue(store, new TestKeys(), WalTestKit.Options(o =>
        {
            o.MaxQueuedWritesTotal = 2;
            o.StoreCallTimeout = TimeSpan.FromMilliseconds(300);
        }));

        var a = queue.SubmitAsync("ns-a", WalTestKit.Write("a"), CancellationToken.None);
        var b = queue.SubmitAsync("ns-b", WalTestKit.Write("b"), CancellationToken.None);
        Assert.Throws<WalQueueFullException>(() => { _ = queue.SubmitAsync("ns-c", WalTestKit.Write("c"), CancellationToken.None); });
        await Task.WhenAll(a, b).WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task An_idle_namespace_drops_its_loop_and_continues_after_the_tail_when_written_again()
    {
        using var temp = new TempStore();
        var keys = new TestKeys();
        await using var queue = new GroupCommitQueue(temp.Open(), keys, WalTestKit.Options(o => o.IdleTimeout = TimeSpan.FromMilliseconds(50)));
        Assert.Equal(1, (await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("a"), CancellationToken.None)).Sequence);
        Assert.Equal(1, queue.ActiveNamespaces);

        var deadline = DateTime.UtcNow + TestTimeout;
        while (queue.ActiveNamespaces != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, queue.ActiveNamespaces);
        Assert.Equal(2, (await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("b"), CancellationToken.None).WaitAsync(TestTimeout)).Sequence);
    }

    [Fact]
    public void Invalid_options_are_rejected_naming_the_setting()
    {
        var e = Assert.Throws<ArgumentException>(() => new GroupCommitQueue(new FaultyObjectStore(new NoStore()), new TestKeys(),
            new GroupCommitOptions { MaxWritesPerEntry = 0, Window = TimeSpan.FromSeconds(-1) }));
        Assert.Contains("Wal:GroupCommit:MaxWritesPerEntry", e.Message, StringComparison.Ordinal);
        Assert.Contains("Wal:GroupCommit:Window", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entries_are_sealed_under_their_path()
    {
        using var temp = new TempStore();
        var store = temp.Open();
        var keys = new TestKeys();
        await using var queue = new GroupCommitQueue(store, keys, WalTestKit.Options());
        await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write("secret-marker"), CancellationToken.None);

        var stored = await store.GetAsync(Moat.Storage.StoragePaths.WalEntry(WalTestKit.Nsid, 1), null, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.DoesNotContain("secret-marker", System.Text.Encoding.ASCII.GetString(stored.Data.Span), StringComparison.Ordinal);

        // The same bytes at another sequence do not open: the seal binds the path.
        await store.PutAsync(Moat.Storage.StoragePaths.WalEntry(WalTestKit.Nsid, 2), stored.Data, PutCondition.IfAbsent, CancellationToken.None);
        await Assert.ThrowsAsync<Moat.Storage.Sealing.SealedObjectIntegrityException>(() => new WalReader(store, keys).ReadEntryAsync(WalTestKit.Nsid, 2, CancellationToken.None));
    }

    internal static async Task<Dictionary<string, WalAck>> SubmitConcurrentlyAsync(GroupCommitQueue queue, string prefix, int count)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var acked = new ConcurrentDictionary<string, WalAck>(StringComparer.Ordinal);
        var submitters = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task;
            var marker = prefix + i.ToString(CultureInfo.InvariantCulture);
            acked[marker] = await queue.SubmitAsync(WalTestKit.Nsid, WalTestKit.Write(marker), CancellationToken.None);
        })).ToList();
        start.SetResult();
        await Task.WhenAll(submitters).WaitAsync(TestTimeout);
        return new Dictionary<string, WalAck>(acked, StringComparer.Ordinal);
    }

    private sealed class NoStore : IObjectStore
    {
        public string Region => "test-region";

        public Task<StoredObject?> GetAsync(string key, ByteRange? range, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<string> PutAsync(string key, ReadOnlyMemory<byte> data, PutCondition condition, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ObjectMetadata?> HeadAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteAsync(string key, string? ifMatchETag, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
