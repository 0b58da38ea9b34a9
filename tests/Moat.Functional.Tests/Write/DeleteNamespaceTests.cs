using Grpc.Core;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Functional.Tests.Write;

/// <summary>
/// DeleteNamespace through the gateway: every object gone, the KEK destroyed (KeyVault refuses the
/// namespace's keys from then on), the name free for a new namespace with a new id, the answer's
/// counts right and its deletion record in the write service's audit chain; repeating it is safe.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class DeleteNamespaceTests : IAsyncLifetime
{
    private readonly DevStackFixture _stack;
    private readonly WriteTestKit _kit;

    public DeleteNamespaceTests(DevStackFixture stack)
    {
        _stack = stack;
        _kit = new WriteTestKit(stack);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    private Task<DeleteNamespaceResponse> DeleteAsync(string ns, VersionCondition? condition = null) =>
        _kit.Writes.DeleteNamespaceAsync(new DeleteNamespaceRequest { Namespace = ns, VersionCondition = condition }, _kit.Key, GatewayClient.Deadline).ResponseAsync;

    [Fact]
    public async Task Deleting_removes_every_object_destroys_the_key_and_frees_the_name()
    {
        var ns = WriteTestKit.NewName("delete-me");
        await _kit.CreateAsync(ns);
        var nsid = (await _kit.NamespaceIdAsync(ns))!;
        for (var i = 0; i < 3; i++)
        {
            await _kit.WriteAsync(WriteTestKit.Upsert(ns, WriteTestKit.Doc((ulong)i)));
        }

        var objects = await _kit.ObjectsAsync(nsid);
        Assert.Contains(objects, k => k.EndsWith("/meta", StringComparison.Ordinal));
        Assert.Contains(objects, k => k.Contains("/keyring/", StringComparison.Ordinal));
        Assert.Equal(3, objects.Count(k => k.Contains("/wal/", StringComparison.Ordinal)));

        // A stale version condition deletes nothing.
        var stale = await Assert.ThrowsAsync<RpcException>(() => DeleteAsync(ns, new VersionCondition { ExpectedVersion = 1 }));
        Assert.Equal("CONDITION_FAILED", WriteTestKit.Reason(stale));
        Assert.Equal(objects.Count, (await _kit.ObjectsAsync(nsid)).Count);

        var deleted = await DeleteAsync(ns, new VersionCondition { ExpectedVersion = 3 });
        Assert.Equal((ulong)objects.Count, deleted.ObjectsRemoved);
        Assert.True(deleted.KeyDestroyed);
        Assert.StartsWith("dev/write.", deleted.DeletionRecordId, StringComparison.Ordinal);
        Assert.NotNull(deleted.FinalAfter);
        Assert.Empty(await _kit.ObjectsAsync(nsid));

        // KeyVault refuses the namespace's keys for good.
        var refused = await Assert.ThrowsAsync<RpcException>(() => _kit.Vault.GetCurrentDataKeyAsync(
            new GetCurrentDataKeyRequest { Org = WriteTestKit.Org, NamespaceId = nsid, Purpose = KeyPurpose.Index }, deadline: GatewayClient.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal("KEY_DESTROYED", WriteTestKit.Reason(refused));

        // The name is gone, then reusable with a new id.
        Assert.Null(await _kit.NamespaceIdAsync(ns));
        var missing = await Assert.ThrowsAsync<RpcException>(() => _kit.WriteAsync(WriteTestKit.Upsert(ns, WriteTestKit.Doc(1))));
        Assert.Equal("NAMESPACE_NOT_FOUND", WriteTestKit.Reason(missing));
        var again = await _kit.CreateAsync(ns);
        Assert.True(again.Created);
        var newId = await _kit.NamespaceIdAsync(ns);
        Assert.NotNull(newId);
        Assert.NotEqual(nsid, newId);
        Assert.Equal(1ul, (await _kit.WriteAsync(WriteTestKit.Upsert(ns, WriteTestKit.Doc(1)))).WalSequence);
    }

    [Fact]
    public async Task Repeating_a_deletion_for_the_old_id_finishes_it_without_harm()
    {
        var ns = WriteTestKit.NewName("delete-twice");
        await _kit.CreateAsync(ns);
        var nsid = (await _kit.NamespaceIdAsync(ns))!;
        await _kit.WriteAsync(WriteTestKit.Upsert(ns, WriteTestKit.Doc(1)));
        var first = await DeleteAsync(ns);
        Assert.True(first.ObjectsRemoved >= 3);

        // As if the first answer were lost: the same deletion again, straight to the write service
        // (the gateway no longer knows the name). The key stays destroyed, nothing is left to remove.
        using var gateway = _kit.Pki.Service("gateway");
        using var channel = MtlsClient.Channel($"https://127.0.0.1:{_stack.InternalPorts["write"]}", _kit.Pki.Root, gateway, _kit.Pki.ServiceCa);
        var principal = Moat.Testing.TestPrincipals.Metadata(_kit.Principal("/moat.v1.WriteService/DeleteNamespace", ns, nsid, Role.Admin));
        var second = await new WriteService.WriteServiceClient(channel).DeleteNamespaceAsync(new DeleteNamespaceRequest { Namespace = ns }, principal, GatewayClient.Deadline);
        Assert.Equal(0ul, second.ObjectsRemoved);
        Assert.True(second.KeyDestroyed);
        Assert.NotEqual(first.DeletionRecordId, second.DeletionRecordId);

        // Through the gateway the name is simply gone.
        var gone = await Assert.ThrowsAsync<RpcException>(() => DeleteAsync(ns));
        Assert.Equal("NAMESPACE_NOT_FOUND", WriteTestKit.Reason(gone));
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();
}
