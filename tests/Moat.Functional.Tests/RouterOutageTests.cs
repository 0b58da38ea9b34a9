using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Testing;
using Moat.V1;

namespace Moat.Functional.Tests;

/// <summary>
/// The router unreachable: the gateway serves keys it checked within the cache TTL, then fails closed
/// with UNAVAILABLE — never a stale allow. The router is frozen with SIGSTOP (the stack stays up) and
/// thawed with SIGCONT.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class RouterOutageTests : IDisposable
{
    private readonly DevStackFixture _stack;
    private readonly StackPki _pki;
    private readonly Grpc.Net.Client.GrpcChannel _channel;

    public RouterOutageTests(DevStackFixture stack)
    {
        _stack = stack;
        _pki = new StackPki(stack.PkiDir);
        _channel = GatewayClient.Channel(stack, _pki);
    }

    private const string Namespace = "outage-test";

    private Task<WriteResponse> WriteAsync(string key) =>
        new WriteService.WriteServiceClient(_channel).WriteAsync(new WriteRequest { Namespace = Namespace }, GatewayClient.Key(key), GatewayClient.Deadline).ResponseAsync;

    [Fact]
    public async Task Cached_keys_work_until_the_ttl_then_calls_fail_closed_with_unavailable()
    {
        var admin = _stack.Profile.GetProperty("api_key").GetString()!;
        var created = await new AccessService.AccessServiceClient(_channel).CreateApiKeyAsync(
            new CreateApiKeyRequest { Role = Role.Write, DisplayName = "outage test" }, GatewayClient.Key(admin), GatewayClient.Deadline);
        var key = created.Secret;

        // The namespace exists in this region, so its directory entry is cached like the key.
        using (var gatewayCert = _pki.Service("gateway"))
        using (var routerChannel = MtlsClient.Channel($"https://127.0.0.1:{_stack.InternalPorts["router"]}", _pki.Root, gatewayCert, _pki.ServiceCa))
        {
            await new Moat.Internal.V1.Directory.DirectoryClient(routerChannel).ReserveAsync(new Moat.Internal.V1.ReserveRequest { Org = "dev", NamespaceName = Namespace, Region = "dev-local" }, deadline: GatewayClient.Deadline);
        }

        // A fresh key: the first call caches the router's answer now.
        var reached = await Assert.ThrowsAsync<RpcException>(() => WriteAsync(key));
        Assert.Equal("NAMESPACE_NOT_FOUND", RpcErrors.ReasonOf(reached)); // reserved, never initialized: answered by the write service

        var router = _stack.Pid("router");
        Signals.Send(router, Signals.Sigstop);
        try
        {
            // Within the TTL: served from the cache, the call reaches the write service.
            var cached = await Assert.ThrowsAsync<RpcException>(() => WriteAsync(key));
            Assert.Equal("NAMESPACE_NOT_FOUND", RpcErrors.ReasonOf(cached));

            // Past the TTL: the router cannot confirm the key (nor the namespace), so the gateway refuses.
            await Task.Delay(_stack.AuthCacheTtl + TimeSpan.FromMilliseconds(300));
            var refused = await Assert.ThrowsAsync<RpcException>(() => WriteAsync(key));
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.Equal("DIRECTORY_UNAVAILABLE", RpcErrors.ReasonOf(refused));

            // And it stays refused: no stale allow on a later call either.
            var again = await Assert.ThrowsAsync<RpcException>(() => WriteAsync(key));
            Assert.Equal(StatusCode.Unavailable, again.StatusCode);
        }
        finally
        {
            Signals.Send(router, Signals.Sigcont);
        }

        // The router is back: the key works again.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => WriteAsync(key));
            if (RpcErrors.ReasonOf(e) == "NAMESPACE_NOT_FOUND")
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the gateway did not recover: {e.Status}");
            await Task.Delay(200);
        }
    }

    public void Dispose()
    {
        _channel.Dispose();
        _pki.Dispose();
    }
}
