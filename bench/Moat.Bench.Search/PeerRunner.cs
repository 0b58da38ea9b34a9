using System.Diagnostics;

/// <summary>Runs the LanceDB peer script with node from a project-local npm folder (.deps/bench-search), installing it when missing.</summary>
internal static class PeerRunner
{
    public static List<string> Run(string dataDir)
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

        return Exec("node", ["lancedb.mjs", dataDir], deps, TimeSpan.FromMinutes(30));
    }

    private static List<string> Exec(string file, string[] args, string cwd, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var lines = new List<string>();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } l)
            {
                lock (lines)
                {
                    lines.Add(l);
                }
            }
        };
        var err = p.StandardError.ReadToEndAsync();
        p.BeginOutputReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}.");
        }

        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {p.ExitCode}: {err.Result}");
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
