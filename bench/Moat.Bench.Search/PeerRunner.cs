using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

/// <summary>Runs the LanceDB peer script (its progress goes to our stderr, its JSON result lines to us) with node from a project-local npm folder (.deps/bench-search), installing it when missing.</summary>
internal static class PeerRunner
{
    /// <summary>False with <c>--no-peer</c> (end-to-end runs whose LanceDB rows come from an in-process run on the same seeded data).</summary>
    public static bool Enabled { get; set; } = true;

    public static List<string> Run(string mode, string dataDir)
    {
        var repo = FindRepo();
        var deps = Path.Combine(repo, ".deps", "bench-search");
        Directory.CreateDirectory(deps);
        var source = Path.Combine(AppContext.BaseDirectory, "peer");
        File.Copy(Path.Combine(source, "package.json"), Path.Combine(deps, "package.json"), overwrite: true);
        File.Copy(Path.Combine(source, "lancedb.mjs"), Path.Combine(deps, "lancedb.mjs"), overwrite: true);
        if (!Directory.Exists(Path.Combine(deps, "node_modules", "@lancedb", "lancedb")))
        {
            Exec("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], deps, TimeSpan.FromMinutes(10));
        }

        return Exec("node", ["--max-old-space-size=8192", "lancedb.mjs", mode, dataDir], deps, TimeSpan.FromMinutes(120));
    }

    /// <summary>One JSON line of the peer: a result row, or a note (ingest, index build and size).</summary>
    public static void Parse(string line, List<LatencyRow> results, List<string> notes)
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        switch (r.GetProperty("kind").GetString())
        {
            case "query":
                results.Add(new LatencyRow(
                    r.GetProperty("engine").GetString()!,
                    r.GetProperty("case").GetString()!,
                    r.GetProperty("temperature").GetString()!,
                    r.GetProperty("p50").GetDouble(),
                    r.GetProperty("p99").GetDouble(),
                    r.GetProperty("quality").GetDouble(),
                    r.TryGetProperty("note", out var note) ? note.GetString()! : string.Empty));
                break;
            case "note":
                notes.Add(r.GetProperty("text").GetString()!);
                break;
            default:
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"peer: {line}"));
                break;
        }
    }

    private static List<string> Exec(string file, string[] args, string cwd, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = true };

        // lance warns once per query that `_distance` is projected though not selected.
        psi.Environment["LANCEDB_LOG"] = "error";
        psi.Environment["RUST_LOG"] = "error";
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var lines = new List<string>();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } l && l.StartsWith('{'))
            {
                lock (lines)
                {
                    lines.Add(l);
                }
            }
        };
        p.BeginOutputReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}.");
        }

        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {p.ExitCode} (its errors are above).");
        }

        return lines;
    }

    private static string FindRepo()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Microservices.sln")))
        {
            d = d.Parent;
        }

        return d?.FullName ?? throw new InvalidOperationException("Run from inside the repository.");
    }
}
