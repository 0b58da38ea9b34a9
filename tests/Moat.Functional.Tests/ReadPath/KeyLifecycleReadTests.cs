using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.V1;

namespace Moat.Functional.Tests.ReadPath;

/// <summary>
/// A customer key disabled while its namespace is hot in every cache: queries, writes and an open
/// Export stream fail with KEY_DISABLED within the key-cache TTL, nothing is served from a cache;
/// enabled again, everything works.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class KeyLifecycleReadTests : IDisposable
{
    private readonly DevStackFixture _stack;
    private readonly ReadPathClient _client;

    public KeyLifecycleReadTests(DevStackFixture stack)
    {
        _stack = stack;
        _client = new ReadPathClient(stack);
    }

    [Fact]
    public async Task Disabling_the_key_stops_queries_writes_and_an_open_export_within_the_ttl()
    {
        var key = await _client.Keys.CreateKeyAsync(new CreateKeyRequest { DisplayName = "read-path test" }, _client.Key, ReadPathClient.Deadline);
        const string name = "rp-keyed";
        await _client.CreateAsync(name, ReadPathClient.Config(key.Id));
        // Enough bytes that the open export cannot be buffered whole by HTTP/2 flow control: its server
        // must still be producing pages when the key is disabled.
        var padding = new string('p', 300);
        for (var start = 1; start <= 20_000; start += 1000)
        {
            await _client.UpsertAsync(name, Enumerable.Range(start, 1000).Select(i => ReadPathClient.Doc((ulong)i, ReadPathClient.Vector((ulong)i), $"t{i} {padding}", i, "k")));
        }

        var spec = new QuerySpec { RankBy = new RankBy { Vector = new VectorRank { Column = "emb", Vector = QueryThroughGatewayTests.Vec(ReadPathClient.Vector(5)) } } };
        Assert.Equal(5UL, (await _client.QueryAsync(name, spec)).Result.Rows[0].Document.Id.U64); // every cache warm now
        Assert.Equal(5UL, (await _client.QueryAsync(name, spec, Consistency.Eventual)).Result.Rows[0].Document.Id.U64);

        using var export = _client.Query.Export(new ExportRequest { Namespace = name, PageSize = 100 }, _client.Key, DateTime.UtcNow.AddMinutes(2));
        Assert.True(await export.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(100, export.ResponseStream.Current.Documents.Count);

        await _client.Keys.DisableKeyAsync(new DisableKeyRequest { KeyId = key.Id }, _client.Key, ReadPathClient.Deadline);
        var disabledAt = DateTime.UtcNow;
        var bound = disabledAt + _stack.KeyCacheTtl + TimeSpan.FromSeconds(3);

        var queryError = await FailsWithinAsync(() => _client.QueryAsync(name, spec, Consistency.Eventual), bound);
        Assert.Equal("KEY_DISABLED", RpcErrors.ReasonOf(queryError));
        var writeError = await FailsWithinAsync(() => _client.UpsertAsync(name, [ReadPathClient.Doc(1000, ReadPathClient.Vector(1000), "after", 0, "k")]), bound);
        Assert.Equal("KEY_DISABLED", RpcErrors.ReasonOf(writeError));
        var streamError = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await export.ResponseStream.MoveNext(CancellationToken.None))
            {
                if (export.ResponseStream.Current.Done)
                {
                    break;
                }
            }
        });
        Assert.Equal("KEY_DISABLED", RpcErrors.ReasonOf(streamError));
        Assert.True(DateTime.UtcNow < bound.AddSeconds(5));

        await _client.Keys.EnableKeyAsync(new EnableKeyRequest { KeyId = key.Id }, _client.Key, ReadPathClient.Deadline);
        Assert.Equal(5UL, (await _client.QueryAsync(name, spec)).Result.Rows[0].Document.Id.U64);
        await _client.UpsertAsync(name, [ReadPathClient.Doc(1000, ReadPathClient.Vector(1000), "after", 0, "k")]);
    }

    private static async Task<RpcException> FailsWithinAsync(Func<Task> call, DateTime bound)
    {
        while (true)
        {
            try
            {
                await call();
            }
            catch (RpcException e)
            {
                return e;
            }

            Assert.True(DateTime.UtcNow < bound, "still served after the key-cache TTL");
            await Task.Delay(250);
        }
    }

    public void Dispose() => _client.Dispose();
}
