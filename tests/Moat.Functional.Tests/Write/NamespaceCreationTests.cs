using Grpc.Core;
using Moat.V1;

namespace Moat.Functional.Tests.Write;

/// <summary>
/// Namespace creation through the gateway with an API key (DESIGN section 4): CreateNamespace, or a
/// first Write carrying create_config; idempotent; invalid configs reserve nothing.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class NamespaceCreationTests : IAsyncLifetime
{
    private readonly WriteTestKit _kit;

    public NamespaceCreationTests(DevStackFixture stack)
    {
        _kit = new WriteTestKit(stack);
    }

    [Fact]
    public async Task CreateNamespace_then_writes_commit_at_successive_versions_and_the_wal_holds_them()
    {
        var ns = WriteTestKit.NewName("create-then-write");
        var created = await _kit.CreateAsync(ns);
        Assert.True(created.Created);
        Assert.Equal(ns, created.Info.Name);
        Assert.Equal(StackPki.Region, created.Info.HomeRegion);
        Assert.Equal(4u, created.Info.Config.Vectors["emb"].Dimensions);
        Assert.Equal(VectorElementType.F32, created.Info.Config.Vectors["emb"].ElementType);
        Assert.NotNull(created.Info.CreatedAt);

        var request = WriteTestKit.Upsert(ns, WriteTestKit.Doc(1), WriteTestKit.Doc(2), WriteTestKit.Doc(3));
        request.Deletes.Add(new DocumentId { U64 = 99 });
        request.ReturnAffectedIds = true;
        var first = await _kit.WriteAsync(request);
        Assert.Equal(3ul, first.RowsUpserted);
        Assert.Equal(1ul, first.RowsDeleted);
        Assert.Equal(1ul, first.WalSequence);
        Assert.False(first.NamespaceCreated);
        Assert.False(first.IdempotentReplay);
        Assert.Equal([1ul, 2ul, 3ul], first.AffectedIds.Upserted.Select(i => i.U64));
        Assert.Equal([99ul], first.AffectedIds.Deleted.Select(i => i.U64));
        Assert.NotNull(first.Timing?.Total);

        var patch = new WriteRequest { Namespace = ns };
        patch.Patches.Add(new Document { Id = new DocumentId { U64 = 2 }, Attributes = { ["title"] = new AttributeValue { StringValue = "patched" } } });
        var second = await _kit.WriteAsync(patch);
        Assert.Equal(2ul, second.WalSequence);
        Assert.Equal(1ul, second.RowsPatched);
        Assert.Null(second.AffectedIds);

        var nsid = (await _kit.NamespaceIdAsync(ns))!;
        var wal = await _kit.ReadWalAsync(nsid);
        Assert.Equal([1ul, 2ul], wal.Select(e => e.Sequence));
        var ops = wal[0].Writes.Single().Operations;
        Assert.Equal(4, ops.Count);
        Assert.Equal("t", ops[0].Upsert.Attributes["title"].StringValue);
        Assert.Equal(99ul, ops[3].Delete.U64);
        Assert.Equal("patched", wal[1].Writes.Single().Operations.Single().Patch.Attributes["title"].StringValue);
    }

    [Fact]
    public async Task CreateNamespace_is_idempotent_for_the_same_config_and_refuses_another()
    {
        var ns = WriteTestKit.NewName("create-twice");
        var first = await _kit.CreateAsync(ns);
        var again = await _kit.CreateAsync(ns);
        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal(first.Info.Config, again.Info.Config);
        Assert.Equal(first.Info.CreatedAt, again.Info.CreatedAt);
        var nsid = await _kit.NamespaceIdAsync(ns);

        var other = WriteTestKit.Config(dimensions: 8);
        var e = await Assert.ThrowsAsync<RpcException>(() => _kit.CreateAsync(ns, other));
        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
        Assert.Equal("NAMESPACE_ALREADY_EXISTS", WriteTestKit.Reason(e));
        Assert.Equal(nsid, await _kit.NamespaceIdAsync(ns));
    }

    [Fact]
    public async Task A_first_write_with_create_config_creates_the_namespace_and_later_ones_do_not()
    {
        var ns = WriteTestKit.NewName("first-write");
        var request = WriteTestKit.Upsert(ns, WriteTestKit.Doc(7));
        request.CreateConfig = WriteTestKit.Config();
        var first = await _kit.WriteAsync(request);
        Assert.True(first.NamespaceCreated);
        Assert.Equal(1ul, first.WalSequence);

        var secondRequest = WriteTestKit.Upsert(ns, WriteTestKit.Doc(8));
        secondRequest.CreateConfig = WriteTestKit.Config(dimensions: 16); // ignored: the namespace exists
        var second = await _kit.WriteAsync(secondRequest);
        Assert.False(second.NamespaceCreated);
        Assert.Equal(2ul, second.WalSequence);

        // CreateNamespace agrees it exists, with the config of the first write.
        var created = await _kit.CreateAsync(ns);
        Assert.False(created.Created);
    }

    [Fact]
    public async Task A_name_reserved_but_never_initialized_is_repaired_by_the_next_write_with_create_config()
    {
        // As if the gateway had crashed between Directory.Reserve and InitNamespace.
        var ns = WriteTestKit.NewName("half-made");
        await _kit.ReserveAsync(ns);
        var plain = await Assert.ThrowsAsync<RpcException>(() => _kit.WriteAsync(WriteTestKit.Upsert(ns, WriteTestKit.Doc(1))));
        Assert.Equal("NAMESPACE_NOT_FOUND", WriteTestKit.Reason(plain));

        var request = WriteTestKit.Upsert(ns, WriteTestKit.Doc(1));
        request.CreateConfig = WriteTestKit.Config();
        var repaired = await _kit.WriteAsync(request);
        Assert.True(repaired.NamespaceCreated);
        Assert.Equal(1ul, repaired.WalSequence);
        Assert.False((await _kit.CreateAsync(ns)).Created);
    }

    [Fact]
    public async Task A_write_to_a_namespace_that_does_not_exist_without_create_config_is_not_found()
    {
        var ns = WriteTestKit.NewName("missing");
        var e = await Assert.ThrowsAsync<RpcException>(() => _kit.WriteAsync(WriteTestKit.Upsert(ns, WriteTestKit.Doc(1))));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("NAMESPACE_NOT_FOUND", WriteTestKit.Reason(e));
        Assert.Equal(ns, WriteTestKit.Info(e).Metadata["namespace"]);
        Assert.Null(await _kit.NamespaceIdAsync(ns));
    }

    [Fact]
    public async Task An_invalid_config_is_refused_with_its_field_paths_and_reserves_nothing()
    {
        var ns = WriteTestKit.NewName("bad-config");
        var config = WriteTestKit.Config(dimensions: 0);
        config.Vectors["bad name!"] = new VectorColumn { Dimensions = 3, Metric = DistanceMetric.Unspecified };
        config.Attributes["body"] = new AttributeSchema { Type = AttributeType.Int64, FullText = new FullTextOptions() };

        var e = await Assert.ThrowsAsync<RpcException>(() => _kit.CreateAsync(ns, config));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        var fields = WriteTestKit.BadRequest(e).FieldViolations.Select(v => v.Field).ToList();
        Assert.Contains("config.vectors[emb].dimensions", fields);
        Assert.Contains("config.vectors[bad name!]", fields);
        Assert.Contains("config.vectors[bad name!].metric", fields);
        Assert.Contains("config.attributes[body].full_text", fields);

        var write = WriteTestKit.Upsert(ns, WriteTestKit.Doc(1));
        write.CreateConfig = config;
        var w = await Assert.ThrowsAsync<RpcException>(() => _kit.WriteAsync(write));
        Assert.Equal(StatusCode.InvalidArgument, w.StatusCode);
        Assert.Contains("create_config.vectors[emb].dimensions", WriteTestKit.BadRequest(w).FieldViolations.Select(v => v.Field));

        Assert.Null(await _kit.NamespaceIdAsync(ns));
    }

    [Fact]
    public async Task CreateNamespace_for_another_region_is_wrong_region()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _kit.Regions.CreateNamespaceAsync(
            new CreateNamespaceRequest { Namespace = WriteTestKit.NewName("elsewhere"), Region = "eu-west-9", Config = WriteTestKit.Config() }, _kit.Key, GatewayClient.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("WRONG_REGION", WriteTestKit.Reason(e));
        Assert.Equal("eu-west-9", WriteTestKit.Info(e).Metadata["home_region"]);
    }

    [Fact]
    public async Task By_filter_writes_and_write_conditions_are_not_built_and_say_which_field()
    {
        var ns = WriteTestKit.NewName("not-built");
        await _kit.CreateAsync(ns);
        var request = WriteTestKit.Upsert(ns, WriteTestKit.Doc(1));
        request.DeleteByFilter = new DeleteByFilter { Filter = new Filter { AndFilter = new FilterList() } };
        var e = await Assert.ThrowsAsync<RpcException>(() => _kit.WriteAsync(request));
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.Equal("CAPABILITY_NOT_BUILT", WriteTestKit.Reason(e));
        Assert.Equal("delete_by_filter", WriteTestKit.Info(e).Metadata["field"]);

        var conditional = WriteTestKit.Upsert(ns, WriteTestKit.Doc(1));
        conditional.UpsertCondition = new Filter { AndFilter = new FilterList() };
        var c = await Assert.ThrowsAsync<RpcException>(() => _kit.WriteAsync(conditional));
        Assert.Equal("upsert_condition", WriteTestKit.Info(c).Metadata["field"]);
        Assert.Equal(0, await _kit.VersionAsync((await _kit.NamespaceIdAsync(ns))!));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _kit.DisposeAsync();
}
