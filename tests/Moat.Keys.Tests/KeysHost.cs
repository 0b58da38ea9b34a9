using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Moat.Hosting.Clients;
using Moat.Hosting.Identity;
using Moat.Hosting.Tls;
using Moat.Internal.V1;
using Moat.Testing;
using Moat.V1;

namespace Moat.Keys.Tests;

/// <summary>
/// The real keys service in-process, over real mTLS on loopback, with a fake clock so days of a
/// destruction schedule pass in a test (NOTES.md). Root of trust: dev-file in a temp dir.
/// </summary>
public sealed class KeysHost : IAsyncDisposable
{
    public const string Org = "acme";
    private readonly WebApplication _app;
    private readonly TrustBundle _trust;

    private KeysHost(WebApplication app, TestPki pki, string dataDir, int port, FakeTimeProvider time)
    {
        _app = app;
        _trust = pki.Trust();
        Pki = pki;
        DataDir = dataDir;
        Port = port;
        Time = time;
    }

    public TestPki Pki { get; }

    public string DataDir { get; }

    public int Port { get; }

    public FakeTimeProvider Time { get; }

    public string KeyStoreDir => Path.Combine(DataDir, "keystore");

    public string DataStoreDir => Path.Combine(DataDir, "store");

    public string RootOfTrustDir => Path.Combine(DataDir, "root-of-trust");

    public static async Task<KeysHost> StartAsync(TimeSpan? keyCacheTtl = null)
    {
        var pki = new TestPki();
        var dataDir = System.IO.Directory.CreateTempSubdirectory("moat-keys-").FullName;
        using var svid = pki.Service("keys");
        var (cert, key) = pki.Write("keys", svid);
        var port = Ports.Free();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var app = KeysApp.Build(
        [
            "--Moat:Region=dev-local", "--Moat:ListenAddress=127.0.0.1", $"--Moat:Port={port}",
            $"--Moat:Tls:CertFile={cert}", $"--Moat:Tls:KeyFile={key}", $"--Moat:Tls:RootCaFile={pki.RootCaFile}",
            $"--Moat:Tls:ServiceCaFile={pki.ServiceCaFile}", $"--Moat:Tls:OperatorCaFile={pki.OperatorCaFile}",
            "--Moat:RootOfTrust:Provider=dev-file", $"--Moat:RootOfTrust:DevFile:Directory={Path.Combine(dataDir, "root-of-trust")}",
            $"--Moat:Keys:KeyStoreDir={Path.Combine(dataDir, "keystore")}", $"--Moat:Keys:DataStoreDir={Path.Combine(dataDir, "store")}",
            $"--Moat:Keys:KeyCacheTtl={(keyCacheTtl ?? TimeSpan.FromSeconds(60)).ToString("c", CultureInfo.InvariantCulture)}",
            "--Logging:LogLevel:Default=Warning",
        ], services => services.AddSingleton<TimeProvider>(time));
        await app.StartAsync();
        return new KeysHost(app, pki, dataDir, port, time);
    }

    /// <summary>A channel presenting a service identity of this deployment.</summary>
    public GrpcChannel Channel(string service, string region = "dev-local")
    {
        var cert = Pki.Service(service, region);
        var handler = InternalChannel.CreateHandler(
            SslStreamCertificateContext.Create(cert, [Pki.ServiceCa], offline: true),
            _trust,
            SpiffeId.ForService(TestPki.TrustDomain, "dev-local", "keys"));
        return GrpcChannel.ForAddress($"https://127.0.0.1:{Port}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    public KeyVault.KeyVaultClient Vault(string service = "write") => new(Channel(service));

    public KeyService.KeyServiceClient KeyService() => new(Channel("gateway"));

    /// <summary>A principal signed by this region's gateway (or <paramref name="signer"/>), on the host's clock.</summary>
    public byte[] Principal(string audience, string method, Role role = Role.Admin, string org = Org, string ns = "", string nsid = "", PrincipalKind kind = PrincipalKind.ApiKey, X509Certificate2? signer = null)
    {
        var token = TestPrincipals.Token(org, role, audience, method, ns, issuedAt: Time.GetUtcNow(), nsid: nsid);
        token.Kind = kind;
        token.OperatorId = kind == PrincipalKind.Operator ? "eve" : string.Empty;
        token.OperationId = kind == PrincipalKind.Job ? "op-1" : string.Empty;
        using var gateway = signer is null ? Pki.Service("gateway") : null;
        return TestPrincipals.Sign(token, signer ?? gateway!);
    }

    /// <summary>A key store record's JSON, read through the store (its files carry a header).</summary>
    public async Task<string> ReadKeyStoreAsync(string key)
    {
        using var store = new Moat.Storage.ObjectStore.LocalFileSystemStore(KeyStoreDir, "dev-local");
        var stored = await store.GetAsync(key, null, CancellationToken.None) ?? throw new InvalidOperationException($"{key} is not in the key store");
        return System.Text.Encoding.UTF8.GetString(stored.Data.Span);
    }

    public static Grpc.Core.Metadata With(byte[] principal) => new() { { "moat-principal-bin", principal } };

    /// <summary>Admin metadata for a KeyService call.</summary>
    public Grpc.Core.Metadata Admin(string rpc) => With(Principal("keys", $"/moat.v1.KeyService/{rpc}"));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _trust.Dispose();
        Pki.Dispose();
        try
        {
            System.IO.Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
