using System.Net;
using System.Net.Sockets;
using Moat.Hosting;
using Moat.Hosting.Configuration;
using Moat.Hosting.Identity;
using Moat.Hosting.Pki;

namespace Moat.Cli.Dev;

/// <summary>
/// <c>./moat dev</c>: the whole stack as separate processes on loopback. Waits until every service
/// reports SERVING, prints the table, writes the profile and keeps running; a child that dies is
/// reported with its log tail and stops the stack; SIGINT/SIGTERM stop every child within 10 s.
/// </summary>
public sealed class DevStack
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(7);
    private readonly DevLayout _layout;
    private readonly TextWriter _out;
    private readonly List<ChildProcess> _children = [];

    public DevStack(DevLayout layout, TextWriter output)
    {
        _layout = layout;
        _out = output;
    }

    public async Task<int> RunAsync(CancellationToken stop)
    {
        Directory.CreateDirectory(_layout.StateDir);
        Directory.CreateDirectory(_layout.LogDir);
        Directory.CreateDirectory(_layout.DataDir);
        var busy = _layout.AllPorts.Where(p => !IsFree(p)).ToList();
        if (busy.Count > 0)
        {
            await _out.WriteLineAsync($"moat dev: port(s) {string.Join(", ", busy)} already in use; choose another --base-port.");
            return 1;
        }

        var pki = DevPki.Ensure(_layout.PkiDir, MoatOptions.DevTrustDomain, DevLayout.Region);
        var profile = DevProfile.TryLoad(_layout.ProfileFile) ?? new DevProfile();
        if (string.IsNullOrEmpty(profile.ApiKey) && !await BootstrapAsync(profile, stop))
        {
            return 1;
        }

        try
        {
            var missing = MoatServices.All.Select(_layout.HostAssembly).FirstOrDefault(a => !File.Exists(a));
            if (missing is not null)
            {
                await _out.WriteLineAsync($"moat dev: {missing} is not built (run ./moat, which builds first).");
                return 1;
            }

            using var probe = new HealthProbe(pki.RootCaFile, pki.ServiceCaFile, pki.CertFile(DevPki.CliOperator), pki.KeyFile(DevPki.CliOperator), MoatOptions.DevTrustDomain);

            // Keys first: the router publishes the region's audit verification key, which the keys
            // service creates on its first start.
            Start(MoatServices.Keys, pki, []);
            if (await WaitHealthyAsync(probe, stop) is null)
            {
                return stop.IsCancellationRequested ? 0 : 1;
            }

            var regionAuditKey = await RegionAuditKeyAsync(stop);
            foreach (var service in MoatServices.All.Where(s => s != MoatServices.Keys))
            {
                Start(service, pki, service == MoatServices.Router ? regionAuditKey : []);
            }

            var states = await WaitHealthyAsync(probe, stop);
            if (states is null)
            {
                return stop.IsCancellationRequested ? 0 : 1;
            }

            profile.Endpoint = DevLayout.Address(_layout.GatewayPublicPort);
            profile.CaFile = pki.RootCaFile;
            profile.Region = DevLayout.Region;
            profile.TrustDomain = MoatOptions.DevTrustDomain;
            profile.OperatorCertFile = pki.CertFile(DevPki.CliOperator);
            profile.OperatorKeyFile = pki.KeyFile(DevPki.CliOperator);
            profile.Services = [.. _children.Select(c => new DevProfileService
            {
                Name = c.Name,
                Address = DevLayout.Address(_layout.InternalPort(c.Name)),
                Identity = Identity(c.Name).ToString(),
                Pid = c.Pid,
            })];
            profile.Save(_layout.ProfileFile);

            await PrintTableAsync(states);
            await _out.WriteLineAsync($"profile: {_layout.ProfileFile}");
            await _out.WriteLineAsync("moat dev is up; Ctrl-C stops it.");
            return await WatchAsync(stop);
        }
        finally
        {
            await StopAllAsync();
        }
    }

    /// <summary>
    /// First start: the router's offline bootstrap creates the dev org, registers the gateway's
    /// loopback-dev listener as its first endpoint and prints the first admin key once; the key goes
    /// straight into the profile (0600). Later starts reuse it.
    /// </summary>
    private async Task<bool> BootstrapAsync(DevProfile profile, CancellationToken stop)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] arguments =
        [
            _layout.HostAssembly(MoatServices.Router), "bootstrap", "--org", DevLayout.DevOrg, "--endpoint", DevLayout.LoopbackListener,
            "--endpoint-kind", DevLayout.LoopbackListener, "--region", DevLayout.Region, $"--Moat:DataDir={RouterDataDir}",
            .. RootOfTrustArguments(MoatServices.Router),
        ];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(stop);
        var stderr = process.StandardError.ReadToEndAsync(stop);
        await process.WaitForExitAsync(stop);
        if (process.ExitCode != 0)
        {
            await _out.WriteLineAsync($"moat dev: bootstrap failed: {(await stderr).Trim()}");
            await _out.WriteLineAsync($"moat dev: the profile has no API key but the router's store already has the org; remove {_layout.StateDir} to start afresh.");
            return false;
        }

        using var result = System.Text.Json.JsonDocument.Parse(await stdout);
        profile.Org = result.RootElement.GetProperty("org").GetString()!;
        profile.ApiKey = result.RootElement.GetProperty("api_key").GetString()!;
        profile.Save(_layout.ProfileFile);
        await _out.WriteLineAsync($"moat dev: bootstrapped org '{profile.Org}' with an admin API key (in the profile).");
        return true;
    }

    /// <summary>The dev root of trust (a key file per service; refused outside the dev trust domain and loopback).</summary>
    private string[] RootOfTrustArguments(string service) =>
        ["--Moat:RootOfTrust:Provider=dev-file", $"--Moat:RootOfTrust:DevFile:Directory={Path.Combine(_layout.DataDir, "root-of-trust", service)}"];

    private string RouterDataDir => Path.Combine(_layout.DataDir, MoatServices.Router);

    /// <summary>The region's object store (namespaces' sealed objects and keyrings), shared by write, query and keys.</summary>
    private string RegionStoreDir => Path.Combine(_layout.DataDir, "store");

    private void Start(string service, DevPki pki, IEnumerable<string> extra) =>
        _children.Add(ChildProcess.Start(service, _layout.HostAssembly(service), Arguments(service, pki).Concat(extra), Path.Combine(_layout.LogDir, service + ".log")));

    /// <summary>The region's audit key as the keys service stored it (public half), as router arguments.</summary>
    private async Task<string[]> RegionAuditKeyAsync(CancellationToken stop)
    {
        using var keyStore = new Moat.Storage.ObjectStore.LocalFileSystemStore(Path.Combine(_layout.DataDir, "keystore"), DevLayout.Region);
        var stored = await keyStore.GetAsync("audit/signing-key", null, stop);
        if (stored is null)
        {
            return [];
        }

        using var record = System.Text.Json.JsonDocument.Parse(stored.Data);
        return
        [
            $"--Moat:Router:Regions:0:AuditKeys:0:KeyId={record.RootElement.GetProperty("keyId").GetString()}",
            $"--Moat:Router:Regions:0:AuditKeys:0:PublicKey={record.RootElement.GetProperty("publicKey").GetString()}",
        ];
    }

    private IEnumerable<string> Arguments(string service, DevPki pki)
    {
        yield return $"--Moat:Region={DevLayout.Region}";
        yield return $"--Moat:TrustDomain={MoatOptions.DevTrustDomain}";
        yield return "--Moat:ListenAddress=127.0.0.1";
        yield return $"--Moat:Port={_layout.InternalPort(service)}";
        yield return $"--Moat:Tls:CertFile={pki.CertFile(service)}";
        yield return $"--Moat:Tls:KeyFile={pki.KeyFile(service)}";
        yield return $"--Moat:Tls:RootCaFile={pki.RootCaFile}";
        yield return $"--Moat:Tls:ServiceCaFile={pki.ServiceCaFile}";
        yield return $"--Moat:Tls:OperatorCaFile={pki.OperatorCaFile}";
        yield return $"--Moat:DataDir={Path.Combine(_layout.DataDir, service)}";
        foreach (var upstream in MoatServices.All.Where(s => s != service))
        {
            yield return $"--Moat:Upstreams:{upstream}={DevLayout.Address(_layout.InternalPort(upstream))}";
        }

        if (service is MoatServices.Keys or MoatServices.Router)
        {
            foreach (var argument in RootOfTrustArguments(service))
            {
                yield return argument;
            }
        }

        if (service == MoatServices.Router)
        {
            yield return $"--Moat:Router:Regions:0:Name={DevLayout.Region}";
            yield return "--Moat:Router:Regions:0:Cloud=local";
            yield return $"--Moat:Router:Regions:0:Endpoint={DevLayout.Address(_layout.GatewayPublicPort)}";
        }

        if (service == MoatServices.Keys)
        {
            yield return $"--Moat:Keys:KeyStoreDir={Path.Combine(_layout.DataDir, "keystore")}";
            yield return $"--Moat:Keys:DataStoreDir={RegionStoreDir}";
        }

        if (service == MoatServices.Query)
        {
            yield return $"--Moat:Query:DataStoreDir={RegionStoreDir}";
            yield return $"--Moat:Query:DiskCacheDir={Path.Combine(_layout.DataDir, service, "segment-cache")}";
        }

        if (service == MoatServices.Write)
        {
            // WAL entries, meta and the write service's audit chain live in the region's store.
            yield return $"--Moat:Write:DataStoreDir={RegionStoreDir}";
        }

        if (service == MoatServices.Gateway)
        {
            yield return $"--Moat:Audit:StoreDir={RegionStoreDir}";
            yield return $"--Moat:Gateway:Listeners:0:Name={DevLayout.LoopbackListener}";
            yield return $"--Moat:Gateway:Listeners:0:Kind={DevLayout.LoopbackListener}";
            yield return "--Moat:Gateway:Listeners:0:Address=127.0.0.1";
            yield return $"--Moat:Gateway:Listeners:0:Port={_layout.GatewayPublicPort}";
        }
    }

    private static SpiffeId Identity(string service) =>
        SpiffeId.ForService(MoatOptions.DevTrustDomain, MoatServices.IdentityRegion(service, DevLayout.Region), service);

    private async Task<Dictionary<string, string>?> WaitHealthyAsync(HealthProbe probe, CancellationToken stop)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        var states = new Dictionary<string, string>();
        while (!stop.IsCancellationRequested)
        {
            if (await ReportDeadChildAsync())
            {
                return null;
            }

            foreach (var child in _children)
            {
                states[child.Name] = await probe.CheckAsync(DevLayout.Address(_layout.InternalPort(child.Name)), Identity(child.Name), stop);
            }

            if (states.Values.All(s => s == "SERVING"))
            {
                return states;
            }

            if (DateTime.UtcNow > deadline)
            {
                await _out.WriteLineAsync($"moat dev: not healthy after {StartTimeout.TotalSeconds:F0} s: " +
                    string.Join(", ", states.Select(s => $"{s.Key}={s.Value}")));
                return null;
            }

            await Task.Delay(250, CancellationToken.None);
        }

        return null;
    }

    private async Task<int> WatchAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (await ReportDeadChildAsync())
            {
                return 1;
            }

            try
            {
                await Task.Delay(500, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await _out.WriteLineAsync("moat dev: stopping.");
        return 0;
    }

    private async Task<bool> ReportDeadChildAsync()
    {
        var dead = _children.FirstOrDefault(c => c.HasExited);
        if (dead is null)
        {
            return false;
        }

        await _out.WriteLineAsync($"moat dev: {dead.Name} exited with code {dead.ExitCode}; stopping the stack. Last lines of {dead.LogFile}:");
        await _out.WriteLineAsync(dead.Tail(25));
        return true;
    }

    private async Task StopAllAsync()
    {
        foreach (var child in _children)
        {
            child.Terminate();
        }

        using var grace = new CancellationTokenSource(StopGrace);
        foreach (var child in _children)
        {
            try
            {
                await child.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                child.Kill();
            }
        }

        foreach (var child in _children)
        {
            child.Kill();
            child.Dispose();
        }

        _children.Clear();
    }

    private async Task PrintTableAsync(Dictionary<string, string> states)
    {
        var rows = new List<string[]> { new[] { "SERVICE", "ADDRESS", "IDENTITY", "STATE" } };
        rows.Add([$"{MoatServices.Gateway} ({DevLayout.LoopbackListener})", DevLayout.Address(_layout.GatewayPublicPort), Identity(MoatServices.Gateway).ToString(), states[MoatServices.Gateway]]);
        rows.AddRange(_children.Select(c => new[] { c.Name, DevLayout.Address(_layout.InternalPort(c.Name)), Identity(c.Name).ToString(), states[c.Name] }));
        await _out.WriteLineAsync(TextTable.Render(rows));
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
