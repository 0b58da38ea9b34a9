using System.Diagnostics;
using System.Text.Json;
using Moat.Testing;

namespace Moat.Functional.Tests;

/// <summary>
/// One real dev stack (five processes on loopback, started by the CLI's <c>dev</c> command) shared
/// by every functional test in the collection: two cores cannot afford one per test.
/// </summary>
public sealed class DevStackFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private Process? _cli;

    public string StateDir { get; } = Directory.CreateTempSubdirectory("moat-stack-").FullName;

    public int BasePort { get; } = Ports.FreeRange(6);

    public string PkiDir => Path.Combine(StateDir, "pki");

    public string ProfileFile => Path.Combine(StateDir, "profile.json");

    public JsonElement Profile { get; private set; }

    /// <summary>The pid of each service process, from the profile.</summary>
    public int Pid(string service) => Profile.GetProperty("services").EnumerateArray()
        .First(s => s.GetProperty("name").GetString() == service).GetProperty("pid").GetInt32();

    /// <summary>The gateway's API key cache TTL in this stack: short, so expiry and outage tests are quick.</summary>
    public TimeSpan AuthCacheTtl { get; } = TimeSpan.FromSeconds(2);

    public string GatewayEndpoint => $"https://127.0.0.1:{BasePort}";

    /// <summary>The key cache TTL of the services that cache data keys (write, query): a key's state is re-checked every TTL/2.</summary>
    public TimeSpan KeyCacheTtl { get; } = TimeSpan.FromSeconds(2);

    /// <summary>The write limits this stack runs with (environment <c>Moat__Write__Limits__*</c>).</summary>
    public static IReadOnlyDictionary<string, int> WriteLimits { get; } = new Dictionary<string, int>
    {
        ["MaxOperations"] = 1000,
        ["MaxRequestBytes"] = 2 * 1024 * 1024,
        ["MaxAttributeValueBytes"] = 4096,
    };

    /// <summary>The region's data store (WAL, meta, keyrings, audit batches).</summary>
    public string DataStoreDir => Path.Combine(StateDir, "data", "store");

    /// <summary>The profile's admin API key.</summary>
    public string AdminKey => Profile.GetProperty("api_key").GetString()!;

    /// <summary>The internal mTLS port of each service, as the dev stack lays them out.</summary>
    public IReadOnlyDictionary<string, int> InternalPorts => new Dictionary<string, int>
    {
        ["gateway"] = BasePort + 1,
        ["write"] = BasePort + 2,
        ["query"] = BasePort + 3,
        ["keys"] = BasePort + 4,
        ["router"] = BasePort + 5,
    };

    public async Task InitializeAsync()
    {
        var started = Stopwatch.StartNew();
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Repo.HostAssembly("Moat.Cli"));
        info.ArgumentList.Add("dev");
        info.ArgumentList.Add("--state-dir");
        info.ArgumentList.Add(StateDir);
        info.ArgumentList.Add("--base-port");
        info.ArgumentList.Add(BasePort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.Environment["MOAT_HOME"] = Repo.Root;
        // Children inherit the environment: the gateway reads its cache TTL from it.
        info.Environment["Moat__Gateway__Auth__CacheTtl"] = AuthCacheTtl.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        // The write and query services' key cache: short, so a disabled key stops them within seconds.
        info.Environment["Moat__KeyCache__Ttl"] = KeyCacheTtl.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        // The write service's limits, small so the limit tests send little (docs/write.md has the defaults).
        foreach (var (name, value) in WriteLimits)
        {
            info.Environment[$"Moat__Write__Limits__{name}"] = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        _cli = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        _cli.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        _cli.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        _cli.BeginOutputReadLine();
        _cli.BeginErrorReadLine();

        while (!File.Exists(ProfileFile) || !output.ToString().Contains("moat dev is up", StringComparison.Ordinal))
        {
            if (_cli.HasExited)
            {
                throw new InvalidOperationException($"moat dev exited with {_cli.ExitCode}:\n{output}");
            }

            if (started.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"moat dev not up after {StartTimeout}:\n{output}");
            }

            await Task.Delay(200);
        }

        Profile = JsonDocument.Parse(await File.ReadAllTextAsync(ProfileFile)).RootElement.Clone();
        Console.WriteLine($"[fixture] dev stack up on base port {BasePort} in {started.Elapsed.TotalSeconds:F1} s");
    }

    public async Task DisposeAsync()
    {
        if (_cli is { HasExited: false })
        {
            Signals.Terminate(_cli.Id);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _cli.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _cli.Kill(entireProcessTree: true);
            }
        }

        _cli?.Dispose();
        try
        {
            Directory.Delete(StateDir, recursive: true);
        }
        catch (IOException)
        {
            // Logs of a failed run are worth more than a clean /tmp.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DevStackCollection : ICollectionFixture<DevStackFixture>
{
    public const string Name = "dev stack";
}
