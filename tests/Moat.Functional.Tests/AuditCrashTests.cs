using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Moat.Audit;
using Moat.Audit.RootOfTrust;
using Moat.Hosting.Clients;
using Moat.Hosting.Identity;
using Moat.Internal.V1;
using Moat.Keys.RootOfTrust.DevFile;
using Moat.Storage.ObjectStore;
using Moat.Storage.Records;
using Moat.Testing;
using Moat.V1;
using AuditEventKind = Moat.Audit.AuditEventKind;
using AuditVerificationKey = Moat.Audit.AuditVerificationKey;

namespace Moat.Functional.Tests;

/// <summary>
/// The router killed with SIGKILL during a burst of API key creations (state-changing, durably
/// audited before they are acknowledged): after a restart every acknowledged creation has its record,
/// the chain continues without a fork, and the whole log verifies.
/// </summary>
public sealed class AuditCrashTests : IDisposable
{
    private const string Org = "acme";
    private readonly TestPki _pki = new();
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("moat-audit-crash-").FullName;

    private string DataDir => Path.Combine(_dir, "router");

    private string RootOfTrustDir => Path.Combine(_dir, "root-of-trust");

    [Fact]
    public async Task Every_acknowledged_change_survives_a_sigkill_and_the_chain_continues_without_a_fork()
    {
        var bootstrap = await ProcessRunner.RunAsync("dotnet",
            [Repo.HostAssembly("Moat.Router"), "bootstrap", "--org", Org, "--endpoint", "loopback-dev", $"--Moat:DataDir={DataDir}", "--Moat:RootOfTrust:Provider=dev-file", $"--Moat:RootOfTrust:DevFile:Directory={RootOfTrustDir}"],
            TimeSpan.FromSeconds(60));
        Assert.True(bootstrap.ExitCode == 0, bootstrap.Output);
        Assert.Contains("moat_", bootstrap.Stdout, StringComparison.Ordinal);

        using var svid = _pki.Service("router", "global");
        var (cert, key) = _pki.Write("router", svid);
        var port = Ports.Free();
        var acknowledged = new ConcurrentBag<string>();

        using (var first = StartRouter(cert, key, port))
        {
            using var channel = await ConnectAsync(port, first);
            var access = new AccessService.AccessServiceClient(channel);
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var reply = await access.CreateApiKeyAsync(new CreateApiKeyRequest { Role = Role.Read, DisplayName = "burst" }, Principal("CreateApiKey"), DateTime.UtcNow.AddSeconds(10));
                        acknowledged.Add(reply.ApiKey.Id);
                    }
                    catch (RpcException)
                    {
                        return;
                    }
                }
            })).ToList();

            var waited = Stopwatch.StartNew();
            while (acknowledged.Count < 40 && waited.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(20);
            }

            Signals.Send(first.Id, Signals.Sigkill);
            await first.WaitForExitAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        Assert.True(acknowledged.Count >= 40, $"only {acknowledged.Count} creations were acknowledged before the kill");

        // Restart under the same instance id: the chain continues; a few more changes after it.
        using (var second = StartRouter(cert, key, port))
        {
            using var channel = await ConnectAsync(port, second);
            var access = new AccessService.AccessServiceClient(channel);
            for (var i = 0; i < 3; i++)
            {
                acknowledged.Add((await access.CreateApiKeyAsync(new CreateApiKeyRequest { Role = Role.Read, DisplayName = "after" }, Principal("CreateApiKey"), DateTime.UtcNow.AddSeconds(10))).ApiKey.Id);
            }

            Signals.Terminate(second.Id);
            await second.WaitForExitAsync();
        }

        var time = TimeProvider.System;
        using var store = new LocalFileSystemStore(DataDir, "global");
        var root = new DevFileRootKeyProvider(new DevFileOptions { Directory = RootOfTrustDir }, new DevFileGuard("moat.dev", true, ["127.0.0.1"]), NullLogger<DevFileRootKeyProvider>.Instance);
        using var signer = new RootWrappedAuditSigner(new JsonRecordStore(store), root, "root", "router", time);
        var (keyId, spki) = await signer.PublicKeyAsync(CancellationToken.None);
        using var trusted = new AuditTrustedKeys(new AuditVerificationKey(keyId, spki));
        using var keys = new RootWrappedAuditKeyProvider(store, root, "root", time);
        var result = await AuditVerifier.VerifyAsync(store, Org, keys.GetDataKeySource(Org), trusted, new AuditVerifyOptions { CollectRecords = true });

        Assert.True(result.IsValid, $"first broken link: {result.FirstBrokenLink}");
        var subjects = result.Records.Where(r => r.Event.Kind == AuditEventKind.ApiKeyChange).Select(r => r.Event.Subject?.Value ?? string.Empty).ToHashSet(StringComparer.Ordinal);
        foreach (var id in acknowledged)
        {
            Assert.Contains($"api-key:{id}:created:Read", subjects);
        }

        // One chain for the running instance (continued, not forked) and one for the bootstrap.
        Assert.Equal(["router.0", "router.bootstrap"], result.Writers.Select(w => w.Writer).Order(StringComparer.Ordinal));
        Assert.Contains(result.Records, r => r.Event.Kind == AuditEventKind.Bootstrap);
    }

    private Process StartRouter(string cert, string key, int port)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            Repo.HostAssembly("Moat.Router"), "--Moat:Region=dev-local", "--Moat:ListenAddress=127.0.0.1", $"--Moat:Port={port}",
            $"--Moat:Tls:CertFile={cert}", $"--Moat:Tls:KeyFile={key}", $"--Moat:Tls:RootCaFile={_pki.RootCaFile}", $"--Moat:Tls:ServiceCaFile={_pki.ServiceCaFile}",
            $"--Moat:DataDir={DataDir}", "--Moat:RootOfTrust:Provider=dev-file", $"--Moat:RootOfTrust:DevFile:Directory={RootOfTrustDir}",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task<GrpcChannel> ConnectAsync(int port, Process process)
    {
        var trust = _pki.Trust();
        using var client = _pki.Service("gateway");
        var handler = InternalChannel.CreateHandler(System.Net.Security.SslStreamCertificateContext.Create(client, [_pki.ServiceCa], offline: true), trust, SpiffeId.ForService(TestPki.TrustDomain, "global", "router"));
        var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        await ServiceWait.UntilServingAsync(channel, process);
        return channel;
    }

    private Metadata Principal(string rpc)
    {
        using var gateway = _pki.Service("gateway");
        return TestPrincipals.Metadata(TestPrincipals.Sign(TestPrincipals.Token(Org, Role.Admin, "router", $"/moat.v1.AccessService/{rpc}", string.Empty), gateway));
    }

    public void Dispose()
    {
        _pki.Dispose();
        try
        {
            System.IO.Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
