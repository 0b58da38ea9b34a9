using Moat.Testing;

namespace Moat.Functional.Tests;

/// <summary>A service without its certificate refuses to start, and says which file is missing.</summary>
public class StartupTests
{
    [Theory]
    [InlineData("Moat.Write")]
    [InlineData("Moat.Keys")]
    [InlineData("Moat.Gateway")]
    public async Task A_service_without_its_certificate_exits_non_zero_naming_the_file(string host)
    {
        using var pki = new TestPki();
        var missing = Path.Combine(pki.Directory, "no-such-dir", "svid.crt");
        var result = await ProcessRunner.RunAsync(
            "dotnet",
            [
                Repo.HostAssembly(host),
                $"--Moat:Port={Ports.Free()}",
                $"--Moat:Tls:CertFile={missing}",
                $"--Moat:Tls:KeyFile={Path.Combine(pki.Directory, "svid.key")}",
                $"--Moat:Tls:RootCaFile={pki.RootCaFile}",
                $"--Moat:Tls:ServiceCaFile={pki.ServiceCaFile}",
                "--Moat:Gateway:Listeners:0:Name=loopback-dev",
                "--Moat:Gateway:Listeners:0:Kind=loopback-dev",
                "--Moat:Gateway:Listeners:0:Address=127.0.0.1",
                $"--Moat:Gateway:Listeners:0:Port={Ports.Free()}",
            ],
            TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(missing, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_write_service_refuses_a_data_store_of_another_region_and_a_missing_one()
    {
        using var pki = new TestPki();
        using var svid = pki.Service("write");
        var (cert, key) = pki.Write("write", svid);
        var storeDir = Path.Combine(pki.Directory, "store");
        using (new Moat.Storage.ObjectStore.LocalFileSystemStore(storeDir, "eu-west-9"))
        {
            // The store now belongs to eu-west-9.
        }

        string[] Arguments(params string[] extra) =>
        [
            Repo.HostAssembly("Moat.Write"), "--Moat:Region=dev-local", $"--Moat:Port={Ports.Free()}",
            $"--Moat:Tls:CertFile={cert}", $"--Moat:Tls:KeyFile={key}", $"--Moat:Tls:RootCaFile={pki.RootCaFile}", $"--Moat:Tls:ServiceCaFile={pki.ServiceCaFile}",
            "--Moat:Upstreams:keys=https://127.0.0.1:9", "--Moat:Upstreams:router=https://127.0.0.1:9", .. extra,
        ];

        var foreign = await ProcessRunner.RunAsync("dotnet", Arguments($"--Moat:Write:DataStoreDir={storeDir}"), TimeSpan.FromSeconds(60));
        Assert.Equal(2, foreign.ExitCode);
        Assert.Contains("Moat:Write:DataStoreDir", foreign.Stderr, StringComparison.Ordinal);
        Assert.Contains("eu-west-9", foreign.Stderr, StringComparison.Ordinal);

        var none = await ProcessRunner.RunAsync("dotnet", Arguments(), TimeSpan.FromSeconds(60));
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("Moat:Write:DataStoreDir is required", none.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gateway_listener_on_every_interface_is_refused_at_start()
    {
        using var pki = new TestPki();
        using var svid = pki.Service("gateway");
        var (cert, key) = pki.Write("gateway", svid);
        var result = await ProcessRunner.RunAsync(
            "dotnet",
            [
                Repo.HostAssembly("Moat.Gateway"),
                $"--Moat:Port={Ports.Free()}",
                $"--Moat:Tls:CertFile={cert}",
                $"--Moat:Tls:KeyFile={key}",
                $"--Moat:Tls:RootCaFile={pki.RootCaFile}",
                $"--Moat:Tls:ServiceCaFile={pki.ServiceCaFile}",
                $"--Moat:Audit:StoreDir={pki.Directory}",
                "--Moat:Upstreams:keys=https://127.0.0.1:9",
                "--Moat:Upstreams:router=https://127.0.0.1:9",
                "--Moat:Gateway:Listeners:0:Name=public",
                "--Moat:Gateway:Listeners:0:Kind=loopback-dev",
                "--Moat:Gateway:Listeners:0:Address=0.0.0.0",
                $"--Moat:Gateway:Listeners:0:Port={Ports.Free()}",
            ],
            TimeSpan.FromSeconds(60));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("binds every interface", result.Stderr, StringComparison.Ordinal);
    }
}
