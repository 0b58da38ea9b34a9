using System.Diagnostics;
using Grpc.Health.V1;
using Moat.Internal.V1;
using Moat.Testing;

namespace Moat.Functional.Tests;

/// <summary>Two router processes on one store racing Directory.Reserve for one name agree on one id.</summary>
[Collection(DevStackCollection.Name)]
public sealed class DirectoryRaceTests : IDisposable
{
    private readonly DevStackFixture _stack;
    private readonly StackPki _pki;

    public DirectoryRaceTests(DevStackFixture stack)
    {
        _stack = stack;
        _pki = new StackPki(stack.PkiDir);
    }

    [Fact]
    public async Task Two_routers_racing_reserve_for_one_name_return_one_id()
    {
        var port = Ports.Free();
        var pki = _stack.PkiDir;
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            Repo.HostAssembly("Moat.Router"), "--Moat:Region=dev-local", "--Moat:ListenAddress=127.0.0.1", $"--Moat:Port={port}",
            $"--Moat:Tls:CertFile={Path.Combine(pki, "router.crt")}", $"--Moat:Tls:KeyFile={Path.Combine(pki, "router.key")}",
            $"--Moat:Tls:RootCaFile={Path.Combine(pki, "root-ca.crt")}", $"--Moat:Tls:ServiceCaFile={Path.Combine(pki, "service-ca.crt")}",
            $"--Moat:DataDir={Path.Combine(_stack.StateDir, "data", "router")}",
            // A second instance on the same store: its own audit chain (instance id), the same root of trust.
            "--Moat:InstanceId=1", "--Moat:RootOfTrust:Provider=dev-file",
            $"--Moat:RootOfTrust:DevFile:Directory={Path.Combine(_stack.StateDir, "data", "root-of-trust", "router")}",
        })
        {
            info.ArgumentList.Add(arg);
        }

        using var second = Process.Start(info)!;
        second.BeginOutputReadLine();
        second.BeginErrorReadLine();
        try
        {
            using var gateway = _pki.Service("gateway");
            using var first = MtlsClient.Channel($"https://127.0.0.1:{_stack.InternalPorts["router"]}", _pki.Root, gateway, _pki.ServiceCa);
            using var other = MtlsClient.Channel($"https://127.0.0.1:{port}", _pki.Root, gateway, _pki.ServiceCa);
            await ServiceWait.UntilServingAsync(other, second);

            var name = "race-" + Guid.NewGuid().ToString("N")[..8];
            var clients = new[] { new Moat.Internal.V1.Directory.DirectoryClient(first), new Moat.Internal.V1.Directory.DirectoryClient(other) };
            var replies = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
                clients[i % 2].ReserveAsync(new ReserveRequest { Org = "dev", NamespaceName = name, Region = "dev-local" }, deadline: DateTime.UtcNow.AddSeconds(20)).ResponseAsync));

            Assert.Single(replies.Select(r => r.NamespaceId).Distinct());
            Assert.Single(replies, r => r.Created);
            var resolved = await clients[1].ResolveAsync(new ResolveRequest { Org = "dev", NamespaceName = name }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal(replies[0].NamespaceId, resolved.NamespaceId);
            Assert.Equal("dev-local", resolved.HomeRegion);
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }
    }

    public void Dispose() => _pki.Dispose();
}
