using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Moat.Hosting.Clients;
using Moat.Hosting.Identity;
using Moat.Internal.V1;
using Moat.Testing;
using Moat.V1;

namespace Moat.Keys.Tests;

/// <summary>
/// The keys service as its own process on a real SoftHSM token: it creates the root key inside the
/// HSM, wraps a namespace KEK there, and after a SIGKILL and restart still unwraps the same data key.
/// </summary>
public sealed class KeysServiceHsmRestartTests : IDisposable
{
    private const string Library = "/usr/lib/softhsm/libsofthsm2.so";
    private readonly TestPki _pki = new();
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("moat-keys-hsm-").FullName;

    [Fact]
    public async Task The_keys_service_restarts_and_still_unwraps()
    {
        Assert.True(File.Exists(Library), "softhsm2 is not installed (apt-get install softhsm2)");
        var conf = Path.Combine(_dir, "softhsm2.conf");
        System.IO.Directory.CreateDirectory(Path.Combine(_dir, "tokens"));
        await File.WriteAllTextAsync(conf, $"directories.tokendir = {Path.Combine(_dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n");
        var label = "moat-keys-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var pin = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var init = await ProcessRunner.RunAsync("softhsm2-util", ["--init-token", "--free", "--label", label, "--so-pin", "12345678", "--pin", pin], TimeSpan.FromSeconds(30), environment: new Dictionary<string, string> { ["SOFTHSM2_CONF"] = conf });
        Assert.True(init.ExitCode == 0, init.Output);
        var pinFile = Path.Combine(_dir, "pin");
        Moat.Hosting.Pki.DevPki.WriteFile(pinFile, pin, secret: true);

        using var svid = _pki.Service("keys");
        var (cert, key) = _pki.Write("keys", svid);
        var port = Ports.Free();
        string[] args =
        [
            Repo.HostAssembly("Moat.Keys"), "--Moat:Region=dev-local", "--Moat:ListenAddress=127.0.0.1", $"--Moat:Port={port}",
            $"--Moat:Tls:CertFile={cert}", $"--Moat:Tls:KeyFile={key}", $"--Moat:Tls:RootCaFile={_pki.RootCaFile}", $"--Moat:Tls:ServiceCaFile={_pki.ServiceCaFile}",
            "--Moat:RootOfTrust:Provider=pkcs11", $"--Moat:RootOfTrust:Pkcs11:LibraryPath={Library}", $"--Moat:RootOfTrust:Pkcs11:TokenLabel={label}",
            $"--Moat:RootOfTrust:Pkcs11:PinFile={pinFile}", "--Moat:RootOfTrust:RootKeyId=region-root",
            $"--Moat:Keys:KeyStoreDir={Path.Combine(_dir, "keystore")}", $"--Moat:Keys:DataStoreDir={Path.Combine(_dir, "store")}",
        ];

        byte[] before;
        using (var first = Start(args, conf))
        {
            using var channel = await ConnectAsync(port, first);
            var vault = new KeyVault.KeyVaultClient(channel);
            await vault.CreateNamespaceKekAsync(new CreateNamespaceKekRequest { Org = "acme", NamespaceId = "ns_hsm", NamespaceName = "docs" }, Principal(Role.Write, string.Empty));
            before = (await vault.GetCurrentDataKeyAsync(new GetCurrentDataKeyRequest { Org = "acme", NamespaceId = "ns_hsm", Purpose = KeyPurpose.CallerRequest }, Principal(Role.Write, "ns_hsm"))).Key.Key.ToByteArray();
            Signals.Send(first.Id, Signals.Sigkill);
            await first.WaitForExitAsync();
        }

        // The wrapped KEK on disk is not the key: only the HSM can open it.
        foreach (var file in System.IO.Directory.EnumerateFiles(Path.Combine(_dir, "keystore"), "*", SearchOption.AllDirectories).Concat(System.IO.Directory.EnumerateFiles(Path.Combine(_dir, "store"), "*", SearchOption.AllDirectories)))
        {
            Assert.True((await File.ReadAllBytesAsync(file)).AsSpan().IndexOf(before) < 0, $"{file} holds the data key in plaintext");
        }

        using var second = Start(args, conf);
        try
        {
            using var channel = await ConnectAsync(port, second);
            var after = await new KeyVault.KeyVaultClient(channel).GetCurrentDataKeyAsync(new GetCurrentDataKeyRequest { Org = "acme", NamespaceId = "ns_hsm", Purpose = KeyPurpose.CallerRequest }, Principal(Role.Write, "ns_hsm"));
            Assert.Equal(before, after.Key.Key.ToByteArray());
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }
    }

    private Metadata Principal(Role role, string nsid)
    {
        using var gateway = _pki.Service("gateway");
        return TestPrincipals.Metadata(TestPrincipals.Sign(TestPrincipals.Token("acme", role, "write", "/moat.v1.WriteService/Write", "docs", nsid: nsid), gateway));
    }

    private static Process Start(string[] args, string conf)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // SOFTHSM2_CONF must be in the real process environment before the library loads (NOTES.md).
        info.Environment["SOFTHSM2_CONF"] = conf;
        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task<GrpcChannel> ConnectAsync(int port, Process process)
    {
        var trust = _pki.Trust();
        using var client = _pki.Service("write");
        var handler = InternalChannel.CreateHandler(System.Net.Security.SslStreamCertificateContext.Create(client, [_pki.ServiceCa], offline: true), trust, SpiffeId.ForService(TestPki.TrustDomain, "dev-local", "keys"));
        var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        await ServiceWait.UntilServingAsync(channel, process);
        return channel;
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
