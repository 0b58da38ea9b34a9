using System.Diagnostics;
using System.Text.Json;
using Grpc.Health.V1;
using Moat.Testing;

namespace Moat.Functional.Tests;

/// <summary><c>./moat dev</c> end to end, through the script a newcomer runs.</summary>
public class MoatDevCommandTests
{
    [Fact]
    public async Task Moat_dev_comes_up_healthy_writes_the_profile_and_sigterm_leaves_no_process_behind()
    {
        var stateDir = Directory.CreateTempSubdirectory("moat-dev-e2e-").FullName;
        var basePort = Ports.FreeRange(6);
        var info = new ProcessStartInfo(Path.Combine(Repo.Root, "moat"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        foreach (var arg in new[] { "dev", "--state-dir", stateDir, "--base-port", basePort.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["MOAT_CONFIGURATION"] = Repo.Configuration;
        using var cli = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        cli.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        cli.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        cli.BeginOutputReadLine();
        cli.BeginErrorReadLine();
        try
        {
            var profileFile = Path.Combine(stateDir, "profile.json");
            var waited = Stopwatch.StartNew();
            while (!(File.Exists(profileFile) && Snapshot(output).Contains("moat dev is up", StringComparison.Ordinal)))
            {
                Assert.False(cli.HasExited, $"moat dev exited early:\n{Snapshot(output)}");
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(5), $"moat dev not up in time:\n{Snapshot(output)}");
                await Task.Delay(200);
            }

            // The table names every service with its address, identity and state.
            var table = Snapshot(output);
            foreach (var service in new[] { "gateway", "write", "query", "keys", "router" })
            {
                Assert.Contains($"spiffe://moat.dev/region/{(service == "router" ? "global" : "dev-local")}/{service}", table, StringComparison.Ordinal);
            }

            using var profile = JsonDocument.Parse(await File.ReadAllTextAsync(profileFile));
            var root = profile.RootElement;
            Assert.Equal($"https://127.0.0.1:{basePort}", root.GetProperty("endpoint").GetString());
            Assert.True(File.Exists(root.GetProperty("ca_file").GetString()));
            Assert.Equal("dev-local", root.GetProperty("region").GetString());
            Assert.True(root.TryGetProperty("api_key", out _));
            Assert.True(root.TryGetProperty("org", out _));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(profileFile));

            // Health on every service over mTLS, checking each server's identity.
            using var pki = new StackPki(Path.Combine(stateDir, "pki"));
            using var client = pki.Service("gateway");
            var pids = new List<int>();
            foreach (var service in root.GetProperty("services").EnumerateArray())
            {
                pids.Add(service.GetProperty("pid").GetInt32());
                using var channel = MtlsClient.Channel(service.GetProperty("address").GetString()!, pki.Root, client, pki.ServiceCa);
                var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
            }

            Assert.Equal(5, pids.Count);
            Assert.All(pids, pid => Assert.True(Signals.IsAlive(pid)));

            // SIGTERM: every child gone within 10 s, the CLI exits 0.
            var stopping = Stopwatch.StartNew();
            Signals.Terminate(cli.Id);
            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
            {
                await cli.WaitForExitAsync(cts.Token);
            }

            while (pids.Any(Signals.IsAlive) && stopping.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100);
            }

            Assert.DoesNotContain(pids, Signals.IsAlive);
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {stopping.Elapsed}");
            Assert.Equal(0, cli.ExitCode);

            // The first start bootstrapped the dev org and its admin key; a second start reuses them.
            var apiKey = root.GetProperty("api_key").GetString();
            var org = root.GetProperty("org").GetString();
            Assert.StartsWith("moat_", apiKey, StringComparison.Ordinal);
            Assert.Equal("dev", org);
            Assert.Contains("bootstrapped org 'dev'", Snapshot(output), StringComparison.Ordinal);
            await RestartReusesTheProfileAsync(stateDir, basePort, apiKey!, org!);
        }
        finally
        {
            if (!cli.HasExited)
            {
                cli.Kill(entireProcessTree: true);
            }

            Directory.Delete(stateDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_child_that_dies_is_reported_with_its_log_and_the_stack_stops()
    {
        var stateDir = Directory.CreateTempSubdirectory("moat-dev-crash-").FullName;
        var basePort = Ports.FreeRange(6);
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Repo.HostAssembly("Moat.Cli"), "dev", "--state-dir", stateDir, "--base-port", basePort.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["MOAT_HOME"] = Repo.Root;
        using var cli = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        cli.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        cli.BeginOutputReadLine();
        cli.BeginErrorReadLine();
        try
        {
            var profileFile = Path.Combine(stateDir, "profile.json");
            var waited = Stopwatch.StartNew();
            while (!Snapshot(output).Contains("moat dev is up", StringComparison.Ordinal))
            {
                Assert.False(cli.HasExited, Snapshot(output));
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(3), Snapshot(output));
                await Task.Delay(200);
            }

            using var profile = JsonDocument.Parse(await File.ReadAllTextAsync(profileFile));
            var pids = profile.RootElement.GetProperty("services").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("pid").GetInt32());
            Signals.Send(pids["query"], Signals.Sigkill);

            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await cli.WaitForExitAsync(cts.Token);
            }

            Assert.NotEqual(0, cli.ExitCode);
            Assert.Contains("query exited", Snapshot(output), StringComparison.Ordinal);
            await Task.Delay(500);
            Assert.DoesNotContain(pids.Values, Signals.IsAlive);
        }
        finally
        {
            if (!cli.HasExited)
            {
                cli.Kill(entireProcessTree: true);
            }

            Directory.Delete(stateDir, recursive: true);
        }
    }

    private static async Task RestartReusesTheProfileAsync(string stateDir, int basePort, string apiKey, string org)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Repo.HostAssembly("Moat.Cli"), "dev", "--state-dir", stateDir, "--base-port", basePort.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["MOAT_HOME"] = Repo.Root;
        using var again = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        again.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        again.BeginOutputReadLine();
        again.BeginErrorReadLine();
        try
        {
            var waited = Stopwatch.StartNew();
            while (!Snapshot(output).Contains("moat dev is up", StringComparison.Ordinal))
            {
                Assert.False(again.HasExited, Snapshot(output));
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(3), Snapshot(output));
                await Task.Delay(200);
            }

            Assert.DoesNotContain("bootstrapped", Snapshot(output), StringComparison.Ordinal);
            using var profile = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(stateDir, "profile.json")));
            Assert.Equal(apiKey, profile.RootElement.GetProperty("api_key").GetString());
            Assert.Equal(org, profile.RootElement.GetProperty("org").GetString());
        }
        finally
        {
            Signals.Terminate(again.Id);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await again.WaitForExitAsync(cts.Token);
        }
    }

    private static string Snapshot(System.Text.StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
