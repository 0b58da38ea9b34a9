using System.Diagnostics;
using Moat.Storage.ObjectStore;

namespace Moat.Storage.Tests.ObjectStore;

/// <summary>
/// <see cref="ResilientObjectStore"/> over <see cref="FaultyObjectStore"/> over the local store:
/// idempotent calls are retried, conditional puts are resolved by reading and never applied twice,
/// time-outs and an open circuit are clear errors.
/// </summary>
public sealed class ResilientObjectStoreTests : IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly LocalFileSystemStore _local;
    private readonly FaultyObjectStore _faulty;
    private readonly CancellationTokenSource _limit = new(TestData.Limit);

    public ResilientObjectStoreTests()
    {
        _local = new LocalFileSystemStore(_directory.Combine("store"), "test-1");
        _faulty = new FaultyObjectStore(_local, seed: 7);
    }

    private CancellationToken Ct => _limit.Token;

    private static ResilientObjectStoreOptions FastOptions(int retries = 3) => new()
    {
        AttemptTimeout = TimeSpan.FromMilliseconds(200),
        MaxRetryAttempts = retries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        RetryMaxDelay = TimeSpan.FromMilliseconds(5),
        BreakerMinimumThroughput = 1000,
    };

    private static ResilientObjectStoreOptions Tweak(ResilientObjectStoreOptions options, Action<ResilientObjectStoreOptions> tweak)
    {
        tweak(options);
        return options;
    }

    private ResilientObjectStore Resilient(ResilientObjectStoreOptions? options = null) => new(_faulty, options ?? FastOptions());

    [Fact]
    public async Task A_lost_answer_to_an_if_absent_put_is_resolved_as_success_not_a_false_conflict()
    {
        var store = Resilient();
        _faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.FailAfter);

        var etag = await store.PutAsync("wal/1", TestData.Utf8("entry"), PutCondition.IfAbsent, Ct);

        Assert.Equal((await _local.HeadAsync("wal/1", Ct))!.ETag, etag);
        Assert.Equal(1, _faulty.Calls(ObjectStoreOperations.PutIfAbsent)); // resolved by reading, not put again
        Assert.Equal(1, _faulty.Applied(ObjectStoreOperations.PutIfAbsent));
    }

    [Fact]
    public async Task An_if_absent_put_that_timed_out_after_being_applied_is_resolved_as_success()
    {
        var store = Resilient();
        _faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.HangAfter);

        var etag = await store.PutAsync("wal/1", TestData.Utf8("entry"), PutCondition.IfAbsent, Ct);

        Assert.Equal((await _local.HeadAsync("wal/1", Ct))!.ETag, etag);
        Assert.Equal(1, _faulty.Calls(ObjectStoreOperations.PutIfAbsent));
    }

    [Fact]
    public async Task An_if_absent_put_that_failed_before_the_store_is_put_again_once_after_reading()
    {
        var store = Resilient();
        _faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.FailBefore);

        await store.PutAsync("wal/1", TestData.Utf8("entry"), PutCondition.IfAbsent, Ct);

        Assert.Equal("entry", TestData.Text(await _local.GetAsync("wal/1", null, Ct)));
        Assert.Equal(2, _faulty.Calls(ObjectStoreOperations.PutIfAbsent));
        Assert.Equal(1, _faulty.Applied(ObjectStoreOperations.PutIfAbsent));
        Assert.Equal(1, _faulty.Calls(ObjectStoreOperations.Get));
    }

    [Fact]
    public async Task An_if_absent_put_whose_second_try_also_gets_no_answer_is_outcome_unknown()
    {
        var store = Resilient();
        _faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.FailBefore, times: 2);

        await Assert.ThrowsAsync<ObjectStoreOutcomeUnknownException>(
            () => store.PutAsync("wal/1", TestData.Utf8("entry"), PutCondition.IfAbsent, Ct));

        Assert.Equal(2, _faulty.Calls(ObjectStoreOperations.PutIfAbsent)); // never a third blind try
    }

    [Fact]
    public async Task An_unanswered_if_absent_put_that_finds_other_content_is_a_precondition_failure()
    {
        var store = Resilient();
        await _local.PutAsync("wal/1", TestData.Utf8("another writer's entry"), PutCondition.IfAbsent, Ct);
        _faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.FailBefore);

        await Assert.ThrowsAsync<ObjectStorePreconditionFailedException>(
            () => store.PutAsync("wal/1", TestData.Utf8("our entry"), PutCondition.IfAbsent, Ct));

        Assert.Equal(1, _faulty.Calls(ObjectStoreOperations.PutIfAbsent));
        Assert.Equal("another writer's entry", TestData.Text(await _local.GetAsync("wal/1", null, Ct)));
    }

    [Fact]
    public async Task A_lost_answer_to_an_if_match_put_is_resolved_as_success()
    {
        var store = Resilient();
        var v1 = await _local.PutAsync("meta", TestData.Utf8("v1"), PutCondition.None, Ct);
        _faulty.Enqueue(ObjectStoreOperations.PutIfMatch, ObjectStoreFault.FailAfter);

        var v2 = await store.PutAsync("meta", TestData.Utf8("v2"), PutCondition.IfMatch(v1), Ct);

        var stored = await _local.GetAsync("meta", null, Ct);
        Assert.Equal("v2", TestData.Text(stored));
        Assert.Equal(stored!.Metadata.ETag, v2);
        Assert.Equal(1, _faulty.Calls(ObjectStoreOperations.PutIfMatch));
    }

    [Fact]
    public async Task An_if_match_put_proven_not_applied_is_put_again_once()
    {
        var store = Resilient();
        var v1 = await _local.PutAsync("meta", TestData.Utf8("v1"), PutCondition.None, Ct);
        _faulty.Enqueue(ObjectStoreOperations.PutIfMatch, ObjectStoreFault.HangBefore);

        await store.PutAsync("meta", TestData.Utf8("v2"), PutCondition.IfMatch(v1), Ct);

        Assert.Equal("v2", TestData.Text(await _local.GetAsync("meta", null, Ct)));
        Assert.Equal(2, _faulty.Calls(ObjectStoreOperations.PutIfMatch));
        Assert.Equal(1, _faulty.Applied(ObjectStoreOperations.PutIfMatch));
    }

    [Fact]
    public async Task An_if_match_put_overtaken_by_another_writer_after_a_lost_answer_is_outcome_unknown()
    {
        // Ours is applied, another writer replaces it at once, then our answer is lost: reading back
        // cannot tell "ours was applied first" from "ours never was", so neither is claimed.
        var v1 = await _local.PutAsync("meta", TestData.Utf8("v1"), PutCondition.None, Ct);
        var store = new ResilientObjectStore(new OvertakingStore(_local), FastOptions());

        var unknown = await Assert.ThrowsAsync<ObjectStoreOutcomeUnknownException>(
            () => store.PutAsync("meta", TestData.Utf8("v2"), PutCondition.IfMatch(v1), Ct));

        Assert.Contains("cannot be known", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conditional_puts_under_random_faults_are_never_applied_twice_nor_falsely_refused()
    {
        _faulty.SetRandomFaults(ObjectStoreOperations.All, failBefore: 0.15, failAfter: 0.15, hangAfter: 0.05);
        var store = Resilient(Tweak(FastOptions(retries: 8), o => { o.AttemptTimeout = TimeSpan.FromMilliseconds(50); }));

        // A single writer increments a counter by compare-and-swap 25 times, re-reading after a
        // conflict and deciding for itself (by the value) after an unknown outcome.
        await _local.PutAsync("counter", TestData.Number(0), PutCondition.None, Ct);
        var counted = 0;
        while (counted < 25)
        {
            var current = (await store.GetAsync("counter", null, Ct))!;
            var next = TestData.Number(current) + 1;
            try
            {
                await store.PutAsync("counter", TestData.Number(next), PutCondition.IfMatch(current.Metadata.ETag), Ct);
                counted++;
            }
            catch (ObjectStoreOutcomeUnknownException)
            {
                if (TestData.Number((await _local.GetAsync("counter", null, Ct))!) == next)
                {
                    counted++;
                }
            }
        }

        // And creates 25 entries if absent: alone, it must never be told "someone else has it". After
        // an unknown outcome it looks for itself, as a WAL writer would, and tries again if absent.
        for (var i = 0; i < 25; i++)
        {
            var key = $"wal/{i:D4}";
            while (true)
            {
                try
                {
                    await store.PutAsync(key, TestData.Number(i), PutCondition.IfAbsent, Ct);
                    break;
                }
                catch (ObjectStoreOutcomeUnknownException)
                {
                    if (await _local.HeadAsync(key, Ct) is not null)
                    {
                        break;
                    }
                }
            }
        }

        Assert.Equal(25, TestData.Number((await _local.GetAsync("counter", null, Ct))!));
        Assert.Equal(25, _faulty.Applied(ObjectStoreOperations.PutIfMatch)); // each applied exactly once
        Assert.True(_faulty.Calls(ObjectStoreOperations.PutIfMatch) > 25, "the faults must have hit some puts");
        var entries = await _local.ListAsync("wal/", null, Ct).ToListAsync(Ct);
        Assert.Equal(25, entries.Count);
        foreach (var entry in entries)
        {
            Assert.Equal(int.Parse(entry.Key[4..], System.Globalization.CultureInfo.InvariantCulture), TestData.Number((await _local.GetAsync(entry.Key, null, Ct))!));
        }

        Assert.Equal(25, _faulty.Applied(ObjectStoreOperations.PutIfAbsent));
    }

    [Fact]
    public async Task Idempotent_calls_are_retried_after_failures_before_and_after_the_store()
    {
        var store = Resilient();
        await _local.PutAsync("k", TestData.Utf8("x"), PutCondition.None, Ct);
        _faulty.Enqueue(ObjectStoreOperations.Get, ObjectStoreFault.FailBefore, times: 2)
            .Enqueue(ObjectStoreOperations.Head, ObjectStoreFault.FailAfter)
            .Enqueue(ObjectStoreOperations.Put, ObjectStoreFault.FailAfter)
            .Enqueue(ObjectStoreOperations.Delete, ObjectStoreFault.FailAfter)
            .Enqueue(ObjectStoreOperations.List, ObjectStoreFault.FailBefore);

        Assert.Equal("x", TestData.Text(await store.GetAsync("k", null, Ct)));
        Assert.NotNull(await store.HeadAsync("k", Ct));
        await store.PutAsync("k", TestData.Utf8("y"), PutCondition.None, Ct);
        Assert.Single(await store.ListAsync("", null, Ct).ToListAsync(Ct));
        await store.DeleteAsync("k", null, Ct);

        Assert.Equal(3, _faulty.Calls(ObjectStoreOperations.Get));
        Assert.Equal(2, _faulty.Calls(ObjectStoreOperations.Head));
        Assert.Equal(2, _faulty.Applied(ObjectStoreOperations.Put)); // applied twice: harmless, it is idempotent
        Assert.Equal(2, _faulty.Calls(ObjectStoreOperations.Delete));
        Assert.Equal(2, _faulty.Calls(ObjectStoreOperations.List));
        Assert.Null(await _local.HeadAsync("k", Ct));
    }

    [Fact]
    public async Task A_list_that_fails_mid_stream_resumes_after_the_last_key_listed()
    {
        for (var i = 0; i < 10; i++)
        {
            await _local.PutAsync($"p/{i}", TestData.Number(i), PutCondition.None, Ct);
        }

        var store = Resilient(Tweak(FastOptions(), o => { o.ListPageSize = 3; }));
        _faulty.Enqueue(ObjectStoreOperations.List, ObjectStoreFault.None)
            .Enqueue(ObjectStoreOperations.List, ObjectStoreFault.FailAfter); // the second page breaks after one key

        var keys = (await store.ListAsync("p/", null, Ct).ToListAsync(Ct)).Select(m => m.Key);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"p/{i}"), keys);
    }

    [Fact]
    public async Task Retries_stop_after_the_configured_attempts()
    {
        var store = Resilient(FastOptions(retries: 2));
        _faulty.Enqueue(ObjectStoreOperations.Get, ObjectStoreFault.FailBefore, times: 10);

        await Assert.ThrowsAsync<ObjectStoreUnavailableException>(() => store.GetAsync("k", null, Ct));

        Assert.Equal(3, _faulty.Calls(ObjectStoreOperations.Get));
    }

    [Fact]
    public async Task Permanent_errors_are_not_retried()
    {
        var store = Resilient();
        await _local.PutAsync("k", TestData.Utf8("abc"), PutCondition.None, Ct);
        var etag = await _local.PutAsync("k", TestData.Utf8("abcd"), PutCondition.None, Ct);

        await Assert.ThrowsAsync<ObjectStoreRangeNotSatisfiableException>(() => store.GetAsync("k", new ByteRange(10), Ct));
        await Assert.ThrowsAsync<ObjectStorePreconditionFailedException>(() => store.PutAsync("k", TestData.Utf8("z"), PutCondition.IfAbsent, Ct));
        await Assert.ThrowsAsync<ObjectStorePreconditionFailedException>(() => store.DeleteAsync("k", etag + "0", Ct));

        Assert.Equal(1, _faulty.Calls(ObjectStoreOperations.Get));
        Assert.Equal(1, _faulty.Calls(ObjectStoreOperations.PutIfAbsent));
        Assert.Equal(1, _faulty.Calls(ObjectStoreOperations.Delete));
    }

    [Fact]
    public async Task A_call_that_times_out_is_a_clear_timeout_error()
    {
        var store = Resilient(Tweak(FastOptions(retries: 1), o => { o.AttemptTimeout = TimeSpan.FromMilliseconds(50); }));
        _faulty.Enqueue(ObjectStoreOperations.Head, ObjectStoreFault.HangBefore, times: 5);
        var clock = Stopwatch.StartNew();

        var timeout = await Assert.ThrowsAsync<ObjectStoreTimeoutException>(() => store.HeadAsync("v1/ns/n1/meta", Ct));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal("Object store HEAD of 'v1/ns/n1/meta' did not complete within 50 ms (2 attempts).", timeout.Message);
        Assert.Equal(TimeSpan.FromMilliseconds(50), timeout.Timeout);
        Assert.Equal(2, _faulty.Calls(ObjectStoreOperations.Head));
    }

    [Fact]
    public async Task A_slow_but_timely_answer_is_not_a_timeout()
    {
        _faulty.SlowDelay = TimeSpan.FromMilliseconds(20);
        var store = Resilient(Tweak(FastOptions(retries: 0), o => { o.AttemptTimeout = TimeSpan.FromSeconds(2); }));
        _faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.Slow);

        await store.PutAsync("k", TestData.Utf8("x"), PutCondition.IfAbsent, Ct);

        Assert.Equal(1, _faulty.Calls(ObjectStoreOperations.PutIfAbsent));
    }

    [Fact]
    public async Task The_breaker_opens_after_repeated_failures_and_then_sends_nothing()
    {
        var store = Resilient(Tweak(FastOptions(retries: 0), o => { o.BreakerMinimumThroughput = 4; o.BreakerFailureRatio = 0.5; }));
        _faulty.SetRandomFaults(ObjectStoreOperations.Get, failBefore: 1);

        for (var i = 0; i < 4; i++)
        {
            var failure = await Assert.ThrowsAnyAsync<ObjectStoreUnavailableException>(() => store.GetAsync("k", null, Ct));
            Assert.IsNotType<ObjectStoreCircuitOpenException>(failure);
        }

        var open = await Assert.ThrowsAsync<ObjectStoreCircuitOpenException>(() => store.GetAsync("k", null, Ct));
        await Assert.ThrowsAsync<ObjectStoreCircuitOpenException>(() => store.PutAsync("wal/1", TestData.Utf8("x"), PutCondition.IfAbsent, Ct));

        Assert.Contains("circuit is open", open.Message, StringComparison.Ordinal);
        Assert.Equal(4, _faulty.Calls(ObjectStoreOperations.Get));
        Assert.Equal(0, _faulty.Calls(ObjectStoreOperations.PutIfAbsent)); // refused before sending: certainly not applied
    }

    [Fact]
    public async Task Precondition_failures_do_not_open_the_breaker()
    {
        // Not a timing test: a generous attempt time limit keeps a slow moment of the machine from failing it.
        var store = Resilient(Tweak(FastOptions(retries: 0), o => { o.BreakerMinimumThroughput = 2; o.BreakerFailureRatio = 0.5; o.AttemptTimeout = TimeSpan.FromSeconds(5); }));
        await _local.PutAsync("k", TestData.Utf8("x"), PutCondition.None, Ct);

        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<ObjectStorePreconditionFailedException>(() => store.PutAsync("k", TestData.Utf8("y"), PutCondition.IfAbsent, Ct));
        }

        Assert.NotNull(await store.GetAsync("k", null, Ct));
    }

    [Fact]
    public void Invalid_options_are_refused_naming_each_setting()
    {
        var options = new ResilientObjectStoreOptions
        {
            AttemptTimeout = TimeSpan.FromMilliseconds(1),
            MaxRetryAttempts = -1,
            BreakerFailureRatio = 0,
        };

        var error = Assert.Throws<ArgumentException>(() => new ResilientObjectStore(_faulty, options));

        Assert.Contains("ObjectStore:Resilience:AttemptTimeout must be between 00:00:00.0100000 and 01:00:00; it is 00:00:00.0010000.", error.Message, StringComparison.Ordinal);
        Assert.Contains("ObjectStore:Resilience:MaxRetryAttempts must be between 0 and 10; it is -1.", error.Message, StringComparison.Ordinal);
        Assert.Contains("ObjectStore:Resilience:BreakerFailureRatio", error.Message, StringComparison.Ordinal);
        Assert.Empty(new ResilientObjectStoreOptions().Validate());
    }

    public void Dispose()
    {
        _limit.Dispose();
        _local.Dispose();
        _directory.Dispose();
    }

    /// <summary>Applies an if-match put, lets another writer replace it at once, then loses the answer.</summary>
    private sealed class OvertakingStore(IObjectStore inner) : IObjectStore
    {
        public string Region => inner.Region;

        public Task<StoredObject?> GetAsync(string key, ByteRange? range, CancellationToken cancellationToken) => inner.GetAsync(key, range, cancellationToken);

        public Task<ObjectMetadata?> HeadAsync(string key, CancellationToken cancellationToken) => inner.HeadAsync(key, cancellationToken);

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken) => inner.ListAsync(prefix, startAfter, cancellationToken);

        public Task DeleteAsync(string key, string? ifMatchETag, CancellationToken cancellationToken) => inner.DeleteAsync(key, ifMatchETag, cancellationToken);

        public async Task<string> PutAsync(string key, ReadOnlyMemory<byte> data, PutCondition condition, CancellationToken cancellationToken)
        {
            var ours = await inner.PutAsync(key, data, condition, cancellationToken);
            await inner.PutAsync(key, TestData.Utf8("another writer"), PutCondition.IfMatch(ours), cancellationToken);
            throw new ObjectStoreUnavailableException(key, "answer lost");
        }
    }
}
