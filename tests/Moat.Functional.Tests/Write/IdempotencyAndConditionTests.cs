using Grpc.Core;
using Moat.V1;

namespace Moat.Functional.Tests.Write;

/// <summary>
/// Idempotency keys (a retry returns the first result and applies nothing; another request under the
/// same key is a conflict; a lost response is applied once) and the namespace version condition.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class IdempotencyAndConditionTests : IAsyncLifetime
{
    private readonly WriteTestKit _kit;
    private string _ns = string.Empty;
    private string _nsid = string.Empty;

    public IdempotencyAndConditionTests(DevStackFixture stack)
    {
        _kit = new WriteTestKit(stack);
    }

    public async Task InitializeAsync()
    {
        _ns = WriteTestKit.NewName("idem");
        await _kit.CreateAsync(_ns);
        _nsid = (await _kit.NamespaceIdAsync(_ns))!;
    }

    private WriteRequest Keyed(string key, params Document[] docs)
    {
        var request = WriteTestKit.Upsert(_ns, docs);
        request.IdempotencyKey = key;
        return request;
    }

    [Fact]
    public async Task A_retry_with_the_same_key_returns_the_first_result_and_applies_nothing()
    {
        var first = await _kit.WriteAsync(Keyed("order-1", WriteTestKit.Doc(1), WriteTestKit.Doc(2)));
        Assert.False(first.IdempotentReplay);
        var retry = await _kit.WriteAsync(Keyed("order-1", WriteTestKit.Doc(1), WriteTestKit.Doc(2)));
        Assert.True(retry.IdempotentReplay);
        Assert.Equal(first.WalSequence, retry.WalSequence);
        Assert.Equal(first.RowsUpserted, retry.RowsUpserted);
        Assert.Equal(1, await _kit.VersionAsync(_nsid));

        // The same request with its maps encoded in another order is the same request.
        var reordered = WriteTestKit.Doc(2);
        var attributes = reordered.Attributes.Reverse().ToList();
        reordered.Attributes.Clear();
        foreach (var (name, value) in attributes)
        {
            reordered.Attributes.Add(name, value);
        }

        Assert.True((await _kit.WriteAsync(Keyed("order-1", WriteTestKit.Doc(1), reordered))).IdempotentReplay);
        Assert.Equal(1, await _kit.VersionAsync(_nsid));
    }

    [Fact]
    public async Task The_same_key_with_another_request_is_an_idempotency_conflict()
    {
        await _kit.WriteAsync(Keyed("order-2", WriteTestKit.Doc(1)));
        var e = await Assert.ThrowsAsync<RpcException>(() => _kit.WriteAsync(Keyed("order-2", WriteTestKit.Doc(1, title: "changed"))));
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("IDEMPOTENCY_CONFLICT", WriteTestKit.Reason(e));
        Assert.Equal("order-2", WriteTestKit.Info(e).Metadata["idempotency_key"]);
        Assert.Equal(1, await _kit.VersionAsync(_nsid));
    }

    [Fact]
    public async Task Concurrent_duplicates_are_applied_once_and_all_get_the_first_result()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _kit.WriteAsync(Keyed("order-3", WriteTestKit.Doc(3)))));
        Assert.Single(results.Select(r => r.WalSequence).Distinct());
        Assert.Single(results, r => !r.IdempotentReplay);
        var wal = await _kit.ReadWalAsync(_nsid);
        Assert.Single(wal.SelectMany(e => e.Writes), w => w.IdempotencyKey == "order-3");
    }

    [Fact]
    public async Task A_write_whose_caller_gave_up_after_sending_is_applied_once_when_retried()
    {
        // The client cancels right after sending (at various moments), as if the response were lost;
        // then it retries with the same key until it gets an answer.
        for (var i = 0; i < 12; i++)
        {
            var key = $"lost-{i}";
            using (var cancel = new CancellationTokenSource())
            {
                var call = _kit.Writes.WriteAsync(Keyed(key, WriteTestKit.Doc((ulong)(100 + i))), _kit.Key, GatewayClient.Deadline, cancel.Token);
                await Task.Delay(i % 4 * 2);
                await cancel.CancelAsync();
                try
                {
                    await call.ResponseAsync;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
                {
                    // The answer is lost; whether it committed is unknown to the client.
                }
            }

            var retried = await _kit.WriteAsync(Keyed(key, WriteTestKit.Doc((ulong)(100 + i))));
            Assert.True(retried.WalSequence > 0);
        }

        var writes = (await _kit.ReadWalAsync(_nsid)).SelectMany(e => e.Writes).ToList();
        for (var i = 0; i < 12; i++)
        {
            Assert.Single(writes, w => w.IdempotencyKey == $"lost-{i}");
        }
    }

    [Fact]
    public async Task A_stale_expected_version_is_condition_failed_and_applies_nothing()
    {
        var fresh = WriteTestKit.Upsert(_ns, WriteTestKit.Doc(1));
        fresh.VersionCondition = new VersionCondition { ExpectedVersion = 0 };
        Assert.Equal(1ul, (await _kit.WriteAsync(fresh)).WalSequence);

        var next = WriteTestKit.Upsert(_ns, WriteTestKit.Doc(2));
        next.VersionCondition = new VersionCondition { ExpectedVersion = 1 };
        Assert.Equal(2ul, (await _kit.WriteAsync(next)).WalSequence);

        var stale = WriteTestKit.Upsert(_ns, WriteTestKit.Doc(3));
        stale.VersionCondition = new VersionCondition { ExpectedVersion = 1 };
        var e = await Assert.ThrowsAsync<RpcException>(() => _kit.WriteAsync(stale));
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("CONDITION_FAILED", WriteTestKit.Reason(e));
        Assert.Equal("2", WriteTestKit.Info(e).Metadata["current_version"]);

        var future = WriteTestKit.Upsert(_ns, WriteTestKit.Doc(4));
        future.VersionCondition = new VersionCondition { ExpectedVersion = 9 };
        Assert.Equal("CONDITION_FAILED", WriteTestKit.Reason(await Assert.ThrowsAsync<RpcException>(() => _kit.WriteAsync(future))));

        Assert.Equal(2, await _kit.VersionAsync(_nsid));
        var ids = (await _kit.ReadWalAsync(_nsid)).SelectMany(x => x.Writes).SelectMany(w => w.Operations).Select(o => o.Upsert.Id.U64);
        Assert.Equal([1ul, 2ul], ids);
    }

    [Fact]
    public async Task Racing_conditional_writes_on_one_version_commit_exactly_one()
    {
        Assert.Equal(1ul, (await _kit.WriteAsync(WriteTestKit.Upsert(_ns, WriteTestKit.Doc(1)))).WalSequence);
        var racers = Enumerable.Range(0, 8).Select(async i =>
        {
            var request = WriteTestKit.Upsert(_ns, WriteTestKit.Doc((ulong)(10 + i)));
            request.VersionCondition = new VersionCondition { ExpectedVersion = 1 };
            try
            {
                return (await _kit.WriteAsync(request)).WalSequence;
            }
            catch (RpcException e) when (WriteTestKit.Reason(e) == "CONDITION_FAILED")
            {
                return 0ul;
            }
        });

        var sequences = await Task.WhenAll(racers);
        Assert.Equal([2ul], sequences.Where(s => s != 0));
        Assert.Equal(2, await _kit.VersionAsync(_nsid));
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();
}
