using System.Diagnostics;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Testing;
using Moat.V1;

namespace Moat.Functional.Tests;

/// <summary>
/// An upstream the gateway cannot reach answers the client with a gRPC status and reason, not an
/// HTTP 502: a second gateway, sharing the stack's router and keys, points its write upstream at a
/// port where nothing listens.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class GatewayUpstreamFailureTests : IDisposable
{
    private readonly DevStackFixture _stack;
    private readonly StackPki _pki;

    public GatewayUpstreamFailureTests(DevStackFixture stack)
    {
        _stack = stack;
        _pki = new StackPki(stack.PkiDir);
    }

    [Fact]
    public async Task An_unreachable_upstream_is_unavailable_with_a_reason()
    {
        var ports = Ports.FreeRange(3);
        var (publicPort, internalPort, deadPort) = (ports, ports + 1, ports + 2);
        var pki = _stack.PkiDir;
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            Repo.HostAssembly("Moat.Gateway"), "--Moat:Region=dev-local", "--Moat:ListenAddress=127.0.0.1", $"--Moat:Port={internalPort}", "--Moat:InstanceId=upstream-test",
            $"--Moat:Tls:CertFile={Path.Combine(pki, "gateway.crt")}", $"--Moat:Tls:KeyFile={Path.Combine(pki, "gateway.key")}",
            $"--Moat:Tls:RootCaFile={Path.Combine(pki, "root-ca.crt")}", $"--Moat:Tls:ServiceCaFile={Path.Combine(pki, "service-ca.crt")}",
            $"--Moat:Upstreams:router=https://127.0.0.1:{_stack.InternalPorts["router"]}", $"--Moat:Upstreams:keys=https://127.0.0.1:{_stack.InternalPorts["keys"]}",
            $"--Moat:Upstreams:write=https://127.0.0.1:{deadPort}", $"--Moat:Upstreams:query=https://127.0.0.1:{_stack.InternalPorts["query"]}",
            $"--Moat:Audit:StoreDir={Path.Combine(_stack.StateDir, "data", "store")}",
            "--Moat:Gateway:Listeners:0:Name=loopback-dev", "--Moat:Gateway:Listeners:0:Kind=loopback-dev", "--Moat:Gateway:Listeners:0:Address=127.0.0.1", $"--Moat:Gateway:Listeners:0:Port={publicPort}",
        })
        {
            info.ArgumentList.Add(arg);
        }

        using var gateway = Process.Start(info)!;
        gateway.BeginOutputReadLine();
        gateway.BeginErrorReadLine();
        try
        {
            using var channel = MtlsClient.Channel($"https://127.0.0.1:{publicPort}", _pki.Root, clientCertificate: null);
            await ServiceWait.UntilServingAsync(channel, gateway);
            var admin = _stack.Profile.GetProperty("api_key").GetString()!;

            var e = await Assert.ThrowsAsync<RpcException>(() => new WriteService.WriteServiceClient(channel).WriteAsync(new WriteRequest { Namespace = "docs" }, GatewayClient.Key(admin), GatewayClient.Deadline).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, e.StatusCode);
            Assert.Equal("UPSTREAM_UNAVAILABLE", RpcErrors.ReasonOf(e));

            // The other upstreams of the same gateway still work.
            var me = await new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest(), GatewayClient.Key(admin), GatewayClient.Deadline);
            Assert.Equal("dev", me.Org);
        }
        finally
        {
            gateway.Kill(entireProcessTree: true);
            await gateway.WaitForExitAsync();
        }
    }

    public void Dispose() => _pki.Dispose();
}
