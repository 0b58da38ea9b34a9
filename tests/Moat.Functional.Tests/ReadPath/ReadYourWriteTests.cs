using Moat.V1;

namespace Moat.Functional.Tests.ReadPath;

/// <summary>
/// Strong consistency: a write acknowledged, then queried at once, is always visible — whichever of
/// two query processes answers (the stack's, through the gateway, and a second one with its own cache).
/// A second process restarted cold answers from the store alone.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class ReadYourWriteTests : IDisposable
{
    private readonly DevStackFixture _stack;
    private readonly ReadPathClient _client;

    public ReadYourWriteTests(DevStackFixture stack)
    {
        _stack = stack;
        _client = new ReadPathClient(stack);
    }

    [Fact]
    public async Task Every_acknowledged_write_is_visible_to_a_strong_query_on_either_process()
    {
        const string name = "rp-ryw";
        await _client.CreateAsync(name, ReadPathClient.Config());
        await using var second = new SecondQueryService(_stack);
        await second.StartAsync();
        var nsid = await second.ResolveAsync(name);
        var random = new Moat.Testing.TestRandom(20261123);
        var eventualSeen = 0;
        for (var i = 1; i <= 1000; i++)
        {
            var id = (ulong)random.Next(1, 200);
            var ack = await _client.UpsertAsync(name, [ReadPathClient.Doc(id, ReadPathClient.Vector(id), "t", i, "x")]);
            var spec = new QuerySpec { Filter = ReadPathClient.Eq("id", new AttributeValue { UintValue = id }) };
            var viaSecond = random.Next(2) == 0;
            var response = viaSecond
                ? await second.Client.QueryAsync(new QueryRequest { Namespace = name, Query = spec }, second.Principal("/moat.v1.QueryService/Query", name, nsid), ReadPathClient.Deadline)
                : await _client.QueryAsync(name, spec);
            Assert.True(response.Performance.LastIncludedWalSequence >= ack.WalSequence, $"write {i} acked at {ack.WalSequence}, query included only {response.Performance.LastIncludedWalSequence}");
            var row = Assert.Single(response.Result.Rows);
            Assert.Equal(i, row.Document.Attributes["n"].IntValue);

            if (i % 100 == 0)
            {
                var eventual = await _client.QueryAsync(name, spec, Consistency.Eventual);
                eventualSeen += eventual.Result.Rows.Count == 1 && eventual.Result.Rows[0].Document.Attributes["n"].IntValue == i ? 1 : 0;
            }
        }

        // Eventual reads may lag, but converge: after the staleness bound the last write shows.
        var last = new QuerySpec { Aggregates = { new Aggregate { Name = "c", Count = new CountAggregate() } } };
        var strongCount = (await _client.QueryAsync(name, last)).Result.Aggregates["c"].UintValue;
        await WaitUntilAsync(async () => (await _client.QueryAsync(name, last, Consistency.Eventual)).Result.Aggregates["c"].UintValue == strongCount, TimeSpan.FromSeconds(15));
        Assert.InRange(eventualSeen, 0, 10);
    }

    [Fact]
    public async Task A_cold_query_process_answers_from_the_store_alone()
    {
        const string name = "rp-cold";
        await _client.CreateAsync(name, ReadPathClient.Config());
        await _client.UpsertAsync(name, Enumerable.Range(1, 300).Select(i => ReadPathClient.Doc((ulong)i, ReadPathClient.Vector((ulong)i), $"doc {i}", i, "t")));
        var spec = new QuerySpec { RankBy = new RankBy { Vector = new VectorRank { Column = "emb", Vector = QueryThroughGatewayTests.Vec(ReadPathClient.Vector(123)) } }, TopK = 3 };
        var warm = await _client.QueryAsync(name, spec);

        await using var second = new SecondQueryService(_stack);
        await second.StartAsync();
        var nsid = await second.ResolveAsync(name);
        await second.RestartAsync();
        var cold = await second.Client.QueryAsync(new QueryRequest { Namespace = name, Query = spec }, second.Principal("/moat.v1.QueryService/Query", name, nsid), ReadPathClient.Deadline);
        Assert.Equal(CacheTemperature.Cold, cold.Performance.CacheTemperature);
        Assert.Equal(warm.Result.Rows.Select(r => r.Document.Id.U64), cold.Result.Rows.Select(r => r.Document.Id.U64));
        Assert.Equal(123UL, cold.Result.Rows[0].Document.Id.U64);
        Assert.Equal(300UL, cold.Performance.ApproxRowCount);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "eventual reads did not converge");
            await Task.Delay(200);
        }
    }

    public void Dispose() => _client.Dispose();
}
