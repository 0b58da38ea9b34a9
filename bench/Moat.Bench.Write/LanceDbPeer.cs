using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Moat.Bench.Write;

/// <summary>
/// LanceDB's <c>table.add</c> through node and <c>@lancedb/lancedb</c> (<c>bench/node/lancedb-write.cjs</c>),
/// on the rows <see cref="WriteDataSet.WriteFiles"/> wrote. The npm packages of <c>bench/node/package.json</c>
/// are installed into <c>.deps/bench-node</c> when missing or older than that file.
/// </summary>
internal sealed class LanceDbPeer
{
    private readonly string _script;
    private readonly string _modules;

    private LanceDbPeer(string script, string modules)
    {
        _script = script;
        _modules = modules;
    }

    /// <summary>The LanceDB version that ran (from the last run).</summary>
    public string? Version { get; private set; }

    /// <summary>Installs the packages if needed; null (and the reason on <paramref name="log"/>) when node or npm fails.</summary>
    public static LanceDbPeer? Prepare(string repositoryRoot, TextWriter log)
    {
        var packageJson = Path.Combine(repositoryRoot, "bench", "node", "package.json");
        var deps = Path.Combine(repositoryRoot, ".deps", "bench-node");
        var modules = Path.Combine(deps, "node_modules");
        var installed = Path.Combine(modules, "@lancedb", "lancedb");
        if (!Directory.Exists(installed) || File.GetLastWriteTimeUtc(packageJson) > Directory.GetLastWriteTimeUtc(modules))
        {
            log.WriteLine($"installing bench/node/package.json into {deps} (npm install)");
            Directory.CreateDirectory(deps);
            File.Copy(packageJson, Path.Combine(deps, "package.json"), overwrite: true);
            var (code, _, error) = Execute("npm", deps, null, "install", "--no-audit", "--no-fund", "--loglevel=error");
            if (code != 0 || !Directory.Exists(installed))
            {
                log.WriteLine($"LanceDB skipped: npm install failed ({code}): {error.Trim()}");
                return null;
            }
        }

        return new LanceDbPeer(Path.Combine(repositoryRoot, "bench", "node", "lancedb-write.cjs"), modules);
    }

    public static string Command(int batch, int writers, double seconds, double warmup) => string.Create(CultureInfo.InvariantCulture,
        $"NODE_PATH=.deps/bench-node/node_modules node bench/node/lancedb-write.cjs <data> <table-dir> {batch} {writers} {seconds} {warmup}");

    /// <summary>One closed-loop run in a fresh table under <paramref name="tableDirectory"/>; null when node fails.</summary>
    public RunResult? Run(string dataDirectory, string tableDirectory, int batch, int writers, double seconds, double warmup, TextWriter log)
    {
        var (code, output, error) = Execute("node", null, _modules, _script, dataDirectory, tableDirectory,
            batch.ToString(CultureInfo.InvariantCulture), writers.ToString(CultureInfo.InvariantCulture),
            seconds.ToString(CultureInfo.InvariantCulture), warmup.ToString(CultureInfo.InvariantCulture));
        if (code != 0)
        {
            log.WriteLine($"LanceDB run failed ({code}): {LastLines(error, 5)}");
            return null;
        }

        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Version = root.GetProperty("version").GetString();
        var latencies = root.GetProperty("latenciesMs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        return RunResult.From(root.GetProperty("docs").GetInt64(), root.GetProperty("seconds").GetDouble(), latencies);
    }

    private static (int Code, string Output, string Error) Execute(string file, string? workingDirectory, string? nodePath, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        if (nodePath is not null)
        {
            start.Environment["NODE_PATH"] = nodePath;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, string.Empty, $"{file}: {e.Message}");
        }
    }

    private static string LastLines(string text, int count) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(count));
}
