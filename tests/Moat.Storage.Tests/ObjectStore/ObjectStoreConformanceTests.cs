using System.Collections.Concurrent;
using Moat.Storage.ObjectStore;

namespace Moat.Storage.Tests.ObjectStore;

/// <summary>
/// The object store contract (DESIGN section 5), run against every implementation: derive, return a
/// fresh, empty store from <see cref="CreateStore"/>, and every case here runs on it. A real S3 or
/// GCS endpoint can be checked the same way by a derived class that points at it.
/// </summary>
public abstract class ObjectStoreConformanceTests : IDisposable
{
    private readonly CancellationTokenSource _limit = new(TestData.Limit);

    /// <summary>A fresh, empty store for one test.</summary>
    protected abstract IObjectStore CreateStore();

    protected CancellationToken Ct => _limit.Token;

    [Fact]
    public async Task Put_then_get_round_trips_bytes_and_metadata()
    {
        var store = CreateStore();
        var data = TestData.Bytes(1000, seed: 1);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var etag = await store.PutAsync("v1/ns/n1/meta", data, PutCondition.None, Ct);
        var stored = await store.GetAsync("v1/ns/n1/meta", null, Ct);

        Assert.NotNull(stored);
        Assert.Equal(data, stored.Data.ToArray());
        Assert.Equal(0, stored.Offset);
        Assert.Equal("v1/ns/n1/meta", stored.Metadata.Key);
        Assert.Equal(etag, stored.Metadata.ETag);
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(1000, stored.Metadata.Length);
        Assert.InRange(stored.Metadata.LastModified, before, DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task Empty_and_one_mebibyte_objects_round_trip()
    {
        var store = CreateStore();
        var big = TestData.Bytes(1 << 20, seed: 2);
        await store.PutAsync("empty", ReadOnlyMemory<byte>.Empty, PutCondition.None, Ct);
        await store.PutAsync("big", big, PutCondition.None, Ct);

        var empty = await store.GetAsync("empty", null, Ct);
        Assert.NotNull(empty);
        Assert.Equal(0, empty.Data.Length);
        Assert.Equal(0, empty.Metadata.Length);
        Assert.Equal(big, (await store.GetAsync("big", null, Ct))!.Data.ToArray());
    }

    [Fact]
    public async Task Get_and_head_of_an_absent_key_are_null()
    {
        var store = CreateStore();
        await store.PutAsync("a/b", TestData.Utf8("x"), PutCondition.None, Ct);

        Assert.Null(await store.GetAsync("missing", null, Ct));
        Assert.Null(await store.GetAsync("a/missing", null, Ct));
        Assert.Null(await store.GetAsync("missing/deeper/key", null, Ct));
        Assert.Null(await store.HeadAsync("missing", Ct));
        Assert.Null(await store.GetAsync("a", null, Ct)); // "a" is only a prefix of a key, not a key
    }

    [Fact]
    public async Task Range_reads_return_the_range_and_truncate_at_the_end()
    {
        var store = CreateStore();
        var data = TestData.Bytes(1000, seed: 3);
        await store.PutAsync("seg/1", data, PutCondition.None, Ct);

        async Task<StoredObject> Read(ByteRange range) => (await store.GetAsync("seg/1", range, Ct))!;

        var start = await Read(new ByteRange(0, 10));
        Assert.Equal(data[..10], start.Data.ToArray());
        Assert.Equal(0, start.Offset);
        Assert.Equal(1000, start.Metadata.Length); // metadata is the whole object's

        var middle = await Read(new ByteRange(400, 123));
        Assert.Equal(data[400..523], middle.Data.ToArray());
        Assert.Equal(400, middle.Offset);

        Assert.Equal(data[990..], (await Read(ByteRange.From(990))).Data.ToArray());
        Assert.Equal(data[995..], (await Read(new ByteRange(995, 100))).Data.ToArray()); // past the end: truncated
        Assert.Equal(0, (await Read(ByteRange.From(1000))).Data.Length); // exactly at the end: no bytes

        var beyond = await Assert.ThrowsAsync<ObjectStoreRangeNotSatisfiableException>(() => store.GetAsync("seg/1", new ByteRange(1001, 1), Ct));
        Assert.Equal(1000, beyond.ObjectLength);
        Assert.Contains("seg/1", beyond.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_returns_the_metadata_get_returns()
    {
        var store = CreateStore();
        await store.PutAsync("k", TestData.Bytes(77, seed: 4), PutCondition.None, Ct);

        var head = await store.HeadAsync("k", Ct);
        var get = await store.GetAsync("k", null, Ct);

        Assert.Equal(get!.Metadata, head);
    }

    [Fact]
    public async Task An_unconditional_put_replaces_and_changes_the_etag()
    {
        var store = CreateStore();
        var first = await store.PutAsync("k", TestData.Utf8("one"), PutCondition.None, Ct);
        var second = await store.PutAsync("k", TestData.Utf8("two"), PutCondition.None, Ct);

        Assert.NotEqual(first, second);
        Assert.Equal("two", TestData.Text(await store.GetAsync("k", null, Ct)));
    }

    [Fact]
    public async Task If_absent_wins_once_and_fails_after_leaving_the_object_unchanged()
    {
        var store = CreateStore();
        var etag = await store.PutAsync("v1/ns/n1/wal/00000000000000000001", TestData.Utf8("first"), PutCondition.IfAbsent, Ct);

        var failure = await Assert.ThrowsAsync<ObjectStorePreconditionFailedException>(
            () => store.PutAsync("v1/ns/n1/wal/00000000000000000001", TestData.Utf8("second"), PutCondition.IfAbsent, Ct));

        Assert.Equal(PutConditionKind.IfAbsent, failure.Condition!.Kind);
        Assert.Equal("v1/ns/n1/wal/00000000000000000001", failure.Key);
        var stored = await store.GetAsync("v1/ns/n1/wal/00000000000000000001", null, Ct);
        Assert.Equal("first", TestData.Text(stored));
        Assert.Equal(etag, stored!.Metadata.ETag);
    }

    [Fact]
    public async Task If_absent_succeeds_again_after_a_delete()
    {
        var store = CreateStore();
        await store.PutAsync("k", TestData.Utf8("one"), PutCondition.IfAbsent, Ct);
        await store.DeleteAsync("k", null, Ct);
        await store.PutAsync("k", TestData.Utf8("two"), PutCondition.IfAbsent, Ct);
        Assert.Equal("two", TestData.Text(await store.GetAsync("k", null, Ct)));
    }

    [Fact]
    public async Task If_match_succeeds_with_the_current_etag_and_fails_with_a_stale_one()
    {
        var store = CreateStore();
        var v1 = await store.PutAsync("meta", TestData.Utf8("v1"), PutCondition.IfAbsent, Ct);
        var v2 = await store.PutAsync("meta", TestData.Utf8("v2"), PutCondition.IfMatch(v1), Ct);
        Assert.NotEqual(v1, v2);

        var stale = await Assert.ThrowsAsync<ObjectStorePreconditionFailedException>(
            () => store.PutAsync("meta", TestData.Utf8("v3"), PutCondition.IfMatch(v1), Ct));
        Assert.Equal(PutConditionKind.IfMatch, stale.Condition!.Kind);

        var stored = await store.GetAsync("meta", null, Ct);
        Assert.Equal("v2", TestData.Text(stored));
        Assert.Equal(v2, stored!.Metadata.ETag);
    }

    [Fact]
    public async Task If_match_on_an_absent_key_fails()
    {
        var store = CreateStore();
        var etag = await store.PutAsync("k", TestData.Utf8("x"), PutCondition.None, Ct);
        await store.DeleteAsync("k", null, Ct);

        await Assert.ThrowsAsync<ObjectStorePreconditionFailedException>(
            () => store.PutAsync("k", TestData.Utf8("y"), PutCondition.IfMatch(etag), Ct));
        Assert.Null(await store.HeadAsync("k", Ct));
    }

    [Fact]
    public async Task Delete_is_idempotent()
    {
        var store = CreateStore();
        await store.PutAsync("a/k", TestData.Utf8("x"), PutCondition.None, Ct);

        await store.DeleteAsync("a/k", null, Ct);
        Assert.Null(await store.GetAsync("a/k", null, Ct));
        await store.DeleteAsync("a/k", null, Ct);
        await store.DeleteAsync("never/existed", null, Ct);
        Assert.Empty(await store.ListAsync("", null, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Delete_if_match_deletes_only_the_expected_version()
    {
        var store = CreateStore();
        var old = await store.PutAsync("k", TestData.Utf8("1"), PutCondition.None, Ct);
        var current = await store.PutAsync("k", TestData.Utf8("2"), PutCondition.None, Ct);

        await Assert.ThrowsAsync<ObjectStorePreconditionFailedException>(() => store.DeleteAsync("k", old, Ct));
        Assert.Equal("2", TestData.Text(await store.GetAsync("k", null, Ct)));

        await store.DeleteAsync("k", current, Ct);
        Assert.Null(await store.HeadAsync("k", Ct));
        await store.DeleteAsync("k", current, Ct); // absent: still succeeds
    }

    [Fact]
    public async Task List_returns_keys_in_ordinal_order_by_prefix_and_start_after()
    {
        var store = CreateStore();
        string[] keys = ["a/2", "ab", "a/10", "b0", "a/1", "a-x", "b/c/e", "a/2x", "b/c/d", "a.z"];
        foreach (var key in keys)
        {
            await store.PutAsync(key, TestData.Utf8(key), PutCondition.None, Ct);
        }

        async Task<string[]> List(string prefix, string? startAfter = null) =>
            [.. (await store.ListAsync(prefix, startAfter, Ct).ToListAsync(Ct)).Select(m => m.Key)];

        var ordered = keys.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["a-x", "a.z", "a/1", "a/10", "a/2", "a/2x", "ab", "b/c/d", "b/c/e", "b0"], ordered);
        Assert.Equal(ordered, await List(""));
        Assert.Equal(["a/1", "a/10", "a/2", "a/2x"], await List("a/"));
        Assert.Equal(["a-x", "a.z", "a/1", "a/10", "a/2", "a/2x", "ab"], await List("a"));
        Assert.Equal(["a/1", "a/10"], await List("a/1"));
        Assert.Equal(["a/2", "a/2x", "ab", "b/c/d", "b/c/e", "b0"], await List("", "a/10"));
        Assert.Equal(["a/1", "a/10", "a/2", "a/2x", "ab", "b/c/d", "b/c/e", "b0"], await List("", "a/"));
        Assert.Equal(["a/2x"], await List("a/", "a/2"));
        Assert.Equal(["b/c/e", "b0"], await List("b", "b/c/d"));
        Assert.Equal(["b/c/d", "b/c/e"], await List("b/c/", "b/"));
        Assert.Empty(await List("", "b0"));
        Assert.Empty(await List("zz"));
        Assert.Empty(await List("a/3"));
    }

    [Fact]
    public async Task Listed_metadata_matches_head()
    {
        var store = CreateStore();
        await store.PutAsync("p/one", TestData.Bytes(10, seed: 5), PutCondition.None, Ct);
        await store.PutAsync("p/two", TestData.Bytes(20, seed: 6), PutCondition.None, Ct);

        var listed = await store.ListAsync("p/", null, Ct).ToListAsync(Ct);

        Assert.Equal(2, listed.Count);
        foreach (var item in listed)
        {
            Assert.Equal(await store.HeadAsync(item.Key, Ct), item);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("a/./b")]
    [InlineData("a\\b")]
    [InlineData("a\0b")]
    [InlineData("caf\u00e9")]
    [InlineData("line\nbreak")]
    [InlineData(".moat-store-region")]
    [InlineData("a/.moat-tmp-0123")]
    public async Task Invalid_keys_are_rejected_by_every_operation(string key)
    {
        var store = CreateStore();
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, TestData.Utf8("x"), PutCondition.None, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, TestData.Utf8("x"), PutCondition.IfAbsent, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(key, null, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.HeadAsync(key, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(key, null, Ct));
    }

    [Theory]
    [InlineData("/a")]
    [InlineData("a//")]
    [InlineData("../")]
    [InlineData("a\\")]
    public async Task Invalid_list_prefixes_are_rejected(string prefix)
    {
        var store = CreateStore();
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.ListAsync(prefix, null, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Sixteen_concurrent_if_absent_puts_of_one_key_have_exactly_one_winner()
    {
        var store = CreateStore();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            await go.Task;
            try
            {
                await store.PutAsync("v1/ns/n1/manifest/00000000000000000007", TestData.Utf8($"writer {i}"), PutCondition.IfAbsent, Ct);
                return i;
            }
            catch (ObjectStorePreconditionFailedException)
            {
                return -1;
            }
        })).ToArray();

        go.SetResult();
        var outcomes = await Task.WhenAll(racers).WaitAsync(TestData.Limit);

        var winner = Assert.Single(outcomes, o => o >= 0);
        Assert.Equal(15, outcomes.Count(o => o < 0));
        Assert.Equal($"writer {winner}", TestData.Text(await store.GetAsync("v1/ns/n1/manifest/00000000000000000007", null, Ct)));
    }

    [Fact]
    public async Task Concurrent_if_match_increments_lose_no_update()
    {
        var store = CreateStore();
        await store.PutAsync("counter", TestData.Number(0), PutCondition.IfAbsent, Ct);
        const int Tasks = 8;
        const int IncrementsEach = 8;
        var written = new ConcurrentBag<long>();
        var conflicts = 0;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var workers = Enumerable.Range(0, Tasks).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            var successes = 0;
            while (successes < IncrementsEach)
            {
                var current = (await store.GetAsync("counter", null, Ct))!;
                var next = TestData.Number(current) + 1;
                try
                {
                    await store.PutAsync("counter", TestData.Number(next), PutCondition.IfMatch(current.Metadata.ETag), Ct);
                    written.Add(next);
                    successes++;
                }
                catch (ObjectStorePreconditionFailedException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }

            return successes;
        })).ToArray();

        go.SetResult();
        var successes = (await Task.WhenAll(workers).WaitAsync(TestData.Limit)).Sum();

        Assert.Equal(Tasks * IncrementsEach, successes);
        Assert.Equal(successes, TestData.Number((await store.GetAsync("counter", null, Ct))!));

        // No lost update: every successful compare-and-swap wrote a different value, 1..N.
        Assert.Equal(Enumerable.Range(1, successes).Select(i => (long)i), written.Order());
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _limit.Dispose();
        }
    }
}
