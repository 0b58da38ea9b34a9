using System.Diagnostics;
using System.Text;

namespace Moat.Storage.Tests.ObjectStore;

/// <summary>
/// Runs tests/Moat.Storage.StoreRacer (built first by this project's reference, in this test run's
/// configuration) as separate processes behind a start barrier, so races are between processes.
/// </summary>
internal static class StoreRacer
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public IEnumerable<string> Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Starts one racer per argument list, releases them together, and waits for all (with a limit).</summary>
    public static async Task<Result[]> RaceAsync(string barrierDirectory, IReadOnlyList<string[]> racers, TimeSpan limit)
    {
        var processes = racers.Select(Start).ToArray();
        try
        {
            var outputs = processes.Select(p => (Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToArray();
            using var cts = new CancellationTokenSource(limit);
            var ready = Enumerable.Range(0, racers.Count).Select(i => Path.Combine(barrierDirectory, "ready-" + i)).ToArray();
            while (!ready.All(File.Exists))
            {
                if (processes.Any(p => p.HasExited))
                {
                    break; // a racer failed before the barrier: its output says why
                }

                await Task.Delay(5, cts.Token);
            }

            await File.WriteAllTextAsync(Path.Combine(barrierDirectory, "go"), "go", cts.Token);
            var results = new Result[processes.Length];
            for (var i = 0; i < processes.Length; i++)
            {
                await processes[i].WaitForExitAsync(cts.Token);
                results[i] = new Result(processes[i].ExitCode, await outputs[i].Out, await outputs[i].Err);
            }

            return results;
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }
        }
    }

    private static Process Start(string[] arguments)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Assembly());
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("cannot start the store racer");
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static string Assembly()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Microservices.sln")))
            {
                var assembly = Path.Combine(dir.FullName, "artifacts", "bin", "Moat.Storage.StoreRacer", configuration, "Moat.Storage.StoreRacer.dll");
                return File.Exists(assembly) ? assembly : throw new FileNotFoundException($"build tests/Moat.Storage.StoreRacer first ({configuration})", assembly);
            }
        }

        throw new InvalidOperationException("tests must run inside the Moat repository");
    }
}
