using System.Diagnostics;
using Grpc.Net.Client;
using Moat.Internal.V1;
using Moat.Testing;
using Moat.V1;

namespace Moat.Functional.Tests.ReadPath;

/// <summary>
/// A second query-service process on the dev stack's region store, with its own (empty) caches, the
/// stack's query identity and upstreams. The test reaches it directly as the gateway would: over mTLS
/// with a gateway identity, and a principal signed by it.
/// </summary>
public sealed class SecondQueryService : IAsyncDisposable
{
    private readonly DevStackFixture _stack;
    private readonly StackPki _pki;
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _gateway;
    private Process? _process;
    private GrpcChannel? _channel;

    public SecondQueryService(DevStackFixture stack)
    {
        _stack = stack;
        _pki = new StackPki(stack.PkiDir);
        _gateway = _pki.Service("gateway");
        Port = Ports.Free();
    }

    public int Port { get; }

    public QueryService.QueryServiceClient Client => new(_channel ?? throw new InvalidOperationException("not started"));

    public async Task StartAsync()
    {
        var pki = _stack.PkiDir;
        var data = Path.Combine(_stack.StateDir, "data");
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Repo.HostAssembly("Moat.Query"));
        foreach (var argument in new[]
        {
            "--Moat:Region=dev-local", "--Moat:TrustDomain=moat.dev", "--Moat:ListenAddress=127.0.0.1", $"--Moat:Port={Port}",
            $"--Moat:Tls:CertFile={Path.Combine(pki, "query.crt")}", $"--Moat:Tls:KeyFile={Path.Combine(pki, "query.key")}",
            $"--Moat:Tls:RootCaFile={Path.Combine(pki, "root-ca.crt")}", $"--Moat:Tls:ServiceCaFile={Path.Combine(pki, "service-ca.crt")}",
            $"--Moat:Tls:OperatorCaFile={Path.Combine(pki, "operator-ca.crt")}",
            $"--Moat:DataDir={System.IO.Directory.CreateTempSubdirectory("moat-query2-").FullName}",
            $"--Moat:Upstreams:keys=https://127.0.0.1:{_stack.InternalPorts["keys"]}",
            $"--Moat:Upstreams:router=https://127.0.0.1:{_stack.InternalPorts["router"]}",
            $"--Moat:Query:DataStoreDir={Path.Combine(data, "store")}",
        })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["Moat__KeyCache__Ttl"] = _stack.KeyCacheTtl.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _channel = MtlsClient.Channel($"https://127.0.0.1:{Port}", _pki.Root, _gateway, _pki.ServiceCa);
        await ServiceWait.UntilServingAsync(_channel, _process, TimeSpan.FromSeconds(60));
    }

    /// <summary>SIGKILL, then start again: a cold process with nothing cached.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// <summary>The principal the gateway would sign for this call.</summary>
    public Grpc.Core.Metadata Principal(string method, string name, string namespaceId) =>
        TestPrincipals.Metadata(TestPrincipals.Sign(TestPrincipals.Token("dev", Role.Read, "query", method, name, nsid: namespaceId), _gateway));

    /// <summary>The namespace's opaque id, as the gateway resolves it.</summary>
    public async Task<string> ResolveAsync(string name)
    {
        using var router = MtlsClient.Channel($"https://127.0.0.1:{_stack.InternalPorts["router"]}", _pki.Root, _gateway, _pki.ServiceCa);
        var reply = await new Moat.Internal.V1.Directory.DirectoryClient(router).ResolveAsync(new ResolveRequest { Org = "dev", NamespaceName = name }, deadline: DateTime.UtcNow.AddSeconds(10));
        return reply.NamespaceId;
    }

    private async Task StopAsync()
    {
        _channel?.Dispose();
        _channel = null;
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _gateway.Dispose();
        _pki.Dispose();
    }
}
