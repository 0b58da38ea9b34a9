using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Functional.Tests;

/// <summary>The gateway forwards only to its own region: a namespace homed elsewhere gets WRONG_REGION with where to go.</summary>
[Collection(DevStackCollection.Name)]
public sealed class NamespaceRoutingTests : IDisposable
{
    private readonly DevStackFixture _stack;
    private readonly StackPki _pki;
    private readonly Grpc.Net.Client.GrpcChannel _channel;

    public NamespaceRoutingTests(DevStackFixture stack)
    {
        _stack = stack;
        _pki = new StackPki(stack.PkiDir);
        _channel = GatewayClient.Channel(stack, _pki);
    }

    private async Task ReserveAsync(string name, string region)
    {
        using var gateway = _pki.Service("gateway");
        using var router = MtlsClient.Channel($"https://127.0.0.1:{_stack.InternalPorts["router"]}", _pki.Root, gateway, _pki.ServiceCa);
        await new Moat.Internal.V1.Directory.DirectoryClient(router).ReserveAsync(new ReserveRequest { Org = "dev", NamespaceName = name, Region = region }, deadline: GatewayClient.Deadline);
    }

    private Task<QueryResponse> QueryAsync(string ns) =>
        new QueryService.QueryServiceClient(_channel).QueryAsync(new QueryRequest { Namespace = ns }, GatewayClient.Key(_stack.Profile.GetProperty("api_key").GetString()), GatewayClient.Deadline).ResponseAsync;

    [Fact]
    public async Task A_namespace_homed_in_another_region_gets_wrong_region_with_its_home()
    {
        await ReserveAsync("far-away", "eu-west-9");
        var e = await Assert.ThrowsAsync<RpcException>(() => QueryAsync("far-away"));
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        var info = e.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>();
        Assert.Equal("WRONG_REGION", info.Reason);
        Assert.Equal("eu-west-9", info.Metadata["home_region"]);
    }

    [Fact]
    public async Task A_namespace_of_this_region_and_a_new_name_are_forwarded()
    {
        // Forwarded to this region's query service, which answers for itself: a name reserved but never
        // initialized, and a name never created, are both namespaces it does not have.
        await ReserveAsync("near-by", "dev-local");
        Assert.Equal("NAMESPACE_NOT_FOUND", RpcErrors.ReasonOf(await Assert.ThrowsAsync<RpcException>(() => QueryAsync("near-by"))));
        Assert.Equal("NAMESPACE_NOT_FOUND", RpcErrors.ReasonOf(await Assert.ThrowsAsync<RpcException>(() => QueryAsync("not-created-yet"))));
    }

    [Fact]
    public async Task An_invalid_namespace_name_is_invalid_argument_naming_the_field()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => QueryAsync("no spaces/allowed"));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(e.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations, v => v.Field == "namespace");
    }

    public void Dispose()
    {
        _channel.Dispose();
        _pki.Dispose();
    }
}
