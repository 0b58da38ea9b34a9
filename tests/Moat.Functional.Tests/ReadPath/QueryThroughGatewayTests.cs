using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.V1;

namespace Moat.Functional.Tests.ReadPath;

/// <summary>What a customer queries Moat for, through the gateway with the profile's key: vectors, text, filters, aggregates, and clear errors.</summary>
[Collection(DevStackCollection.Name)]
public sealed class QueryThroughGatewayTests : IDisposable
{
    private readonly ReadPathClient _client;

    public QueryThroughGatewayTests(DevStackFixture stack) => _client = new ReadPathClient(stack);

    private async Task<string> SeedAsync(string name)
    {
        await _client.CreateAsync(name, ReadPathClient.Config());
        var docs = Enumerable.Range(1, 50).Select(i => ReadPathClient.Doc((ulong)i, ReadPathClient.Vector((ulong)i), i % 5 == 0 ? $"running fox number {i}" : $"quiet cat {i}", i, i % 2 == 0 ? "even" : "odd"));
        await _client.UpsertAsync(name, docs);
        return name;
    }

    [Fact]
    public async Task Vector_search_returns_the_nearest_document_first_and_respects_the_filter()
    {
        var name = await SeedAsync("rp-vector");
        var spec = new QuerySpec { RankBy = new RankBy { Vector = new VectorRank { Column = "emb", Vector = Vec(ReadPathClient.Vector(17)) } }, TopK = 5 };
        var all = await _client.QueryAsync(name, spec);
        Assert.Equal(17UL, all.Result.Rows[0].Document.Id.U64);
        Assert.True(all.Result.Rows[0].Score < 1e-5);
        Assert.Equal(5, all.Result.Rows.Count);
        Assert.Equal(50UL, all.Performance.ApproxRowCount);
        Assert.True(all.Performance.LastIncludedWalSequence >= 1);

        spec.Filter = ReadPathClient.Eq("tag", new AttributeValue { StringValue = "even" });
        var even = await _client.QueryAsync(name, spec);
        Assert.All(even.Result.Rows, r => Assert.Equal(0UL, r.Document.Id.U64 % 2));
        Assert.DoesNotContain(even.Result.Rows, r => r.Document.Id.U64 == 17);
    }

    [Fact]
    public async Task Bm25_ranks_matching_titles_and_count_aggregates_over_the_filter()
    {
        var name = await SeedAsync("rp-text");
        var text = await _client.QueryAsync(name, new QuerySpec
        {
            RankBy = new RankBy { Text = new TextRank { Bm25 = new Bm25Term { Attribute = "title", Query = "runs foxes" } } },
            TopK = 100,
        });
        Assert.Equal(10, text.Result.Rows.Count); // ids 5, 10, ..., 50: stemming matches "running fox"
        Assert.All(text.Result.Rows, r => Assert.Equal(0UL, r.Document.Id.U64 % 5));

        var count = await _client.QueryAsync(name, new QuerySpec
        {
            Filter = new Filter { Predicate = new Moat.V1.Predicate { Attribute = "n", Op = FilterOperator.Gt, Value = new AttributeValue { IntValue = 40 } } },
            Aggregates = { new Aggregate { Name = "c", Count = new CountAggregate() } },
        });
        Assert.Equal(10UL, count.Result.Aggregates["c"].UintValue);
    }

    [Fact]
    public async Task Bad_queries_fail_with_invalid_argument_naming_the_field()
    {
        var name = await SeedAsync("rp-invalid");
        async Task<RpcException> Fails(QuerySpec spec) => await Assert.ThrowsAsync<RpcException>(() => _client.QueryAsync(name, spec));

        var dims = await Fails(new QuerySpec { RankBy = new RankBy { Vector = new VectorRank { Column = "emb", Vector = Vec(new float[3]) } } });
        Assert.Equal(StatusCode.InvalidArgument, dims.StatusCode);
        Assert.Equal("DIMENSION_MISMATCH", RpcErrors.ReasonOf(dims));
        Assert.Contains(Violations(dims), v => v.Field == "query.rank_by.vector.vector");

        var unknown = await Fails(new QuerySpec { Filter = ReadPathClient.Eq("nope", new AttributeValue { IntValue = 1 }) });
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.Contains(Violations(unknown), v => v.Field == "query.filter.predicate.attribute");

        var mismatch = await Fails(new QuerySpec { Filter = ReadPathClient.Eq("n", new AttributeValue { StringValue = "seven" }) });
        Assert.Equal("ATTRIBUTE_TYPE_MISMATCH", RpcErrors.ReasonOf(mismatch));
        Assert.Contains(Violations(mismatch), v => v.Field == "query.filter.predicate.value");

        var topK = await Fails(new QuerySpec { TopK = 10_001 });
        Assert.Contains(Violations(topK), v => v.Field == "query.top_k");
    }

    [Fact]
    public async Task An_unknown_namespace_is_not_found()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.QueryAsync("rp-never-created", new QuerySpec()));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("NAMESPACE_NOT_FOUND", RpcErrors.ReasonOf(e));
    }

    [Fact]
    public async Task GetNamespace_and_ListNamespaces_report_the_namespace()
    {
        var name = await SeedAsync("rp-info");
        var info = (await _client.Query.GetNamespaceAsync(new GetNamespaceRequest { Namespace = name }, _client.Key, ReadPathClient.Deadline)).Info;
        Assert.Equal(name, info.Name);
        Assert.Equal(50UL, info.ApproxRowCount);
        Assert.Equal(8U, info.Config.Vectors["emb"].Dimensions);
        Assert.True(info.Version >= 1);

        var listed = await _client.Query.ListNamespacesAsync(new ListNamespacesRequest { Prefix = "rp-in" }, _client.Key, ReadPathClient.Deadline);
        Assert.Contains(listed.Namespaces, n => n.Name == name && n.HomeRegion == StackPki.Region);
        Assert.DoesNotContain(listed.Namespaces, n => !n.Name.StartsWith("rp-in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_write_service_indexes_in_the_background_and_queries_read_the_segments()
    {
        var name = await SeedAsync("rp-indexed");
        var spec = new QuerySpec { RankBy = new RankBy { Vector = new VectorRank { Column = "emb", Vector = Vec(ReadPathClient.Vector(33)) } }, TopK = 3 };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        NamespaceInfo info;
        do
        {
            await Task.Delay(250);
            info = (await _client.Query.GetNamespaceAsync(new GetNamespaceRequest { Namespace = name }, _client.Key, ReadPathClient.Deadline)).Info;
        }
        while (info.UnindexedBytes > 0 && DateTime.UtcNow < deadline);

        Assert.Equal(0UL, info.UnindexedBytes); // every WAL entry folded into a segment under a manifest
        Assert.Equal(50UL, info.ApproxRowCount);
        var indexed = await _client.QueryAsync(name, spec);
        Assert.Equal(33UL, indexed.Result.Rows[0].Document.Id.U64);
        Assert.Equal("running fox number 35", (await _client.QueryAsync(name, new QuerySpec { Filter = ReadPathClient.Eq("id", new AttributeValue { UintValue = 35 }) })).Result.Rows[0].Document.Attributes["title"].StringValue);

        // A write after indexing is visible on top of the segments (strong read of the WAL tail).
        await _client.UpsertAsync(name, [ReadPathClient.Doc(35, ReadPathClient.Vector(35), "renamed", 35, "odd")]);
        Assert.Equal("renamed", (await _client.QueryAsync(name, new QuerySpec { Filter = ReadPathClient.Eq("id", new AttributeValue { UintValue = 35 }) })).Result.Rows[0].Document.Attributes["title"].StringValue);
        Assert.Equal(50UL, (await _client.QueryAsync(name, new QuerySpec())).Performance.ApproxRowCount);
    }

    internal static Vector Vec(float[] values)
    {
        var v = new Vector();
        v.Values.AddRange(values);
        return v;
    }

    internal static IReadOnlyList<Google.Rpc.BadRequest.Types.FieldViolation> Violations(RpcException e) =>
        e.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations;

    public void Dispose() => _client.Dispose();
}
