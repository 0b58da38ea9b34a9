using System.Diagnostics;
using System.Globalization;
using System.Text;
using Moat.Indexer.Racer;

namespace Moat.Indexer.Tests;

/// <summary>
/// Writers and indexers (with compaction) of one namespace in two processes
/// (tests/Moat.Indexer.Racer) on one local store directory, released together.
/// </summary>
public sealed class CrossProcessRaceTests : IDisposable
{
    private readonly TempStore _dir = new();
    private readonly string _barrier = Directory.CreateTempSubdirectory("moat-indexer-barrier-").FullName;

    public void Dispose()
    {
        _dir.Dispose();
        Directory.Delete(_barrier, recursive: true);
    }

    [Fact]
    public async Task Two_processes_of_writers_and_indexers_keep_every_acknowledged_write_once_in_one_manifest_chain()
    {
        var keys = new FixedKeys();
        var keyFile = Path.Combine(_barrier, "dek");
        await File.WriteAllTextAsync(keyFile, Convert.ToHexString(keys.Key.Span));
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _ = _dir.Open(); // creates the store (and its region marker) before the racers open it

        var watch = Stopwatch.StartNew();
        string[] Racer(int id) => [_dir.Directory, "test-region", keyFile, _barrier, id.ToString(CultureInfo.InvariantCulture), IndexerKit.Nsid, "3", "25", "2", "7"];
        var results = await RaceAsync([Racer(0), Racer(1)], TimeSpan.FromMinutes(3));
        foreach (var result in results)
        {
            Assert.True(result.ExitCode == 0, $"racer exited {result.ExitCode}: {result.Stderr}");
        }

        var lines = results.SelectMany(r => r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var acks = lines.Where(l => l.StartsWith("ACK ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToDictionary(p => p[1], p => (Sequence: ulong.Parse(p[2], CultureInfo.InvariantCulture), Index: int.Parse(p[3], CultureInfo.InvariantCulture)));
        Assert.Equal(150, acks.Count); // 2 processes x 3 writers x 25 writes, no store faults here

        // Every acknowledged write is in the WAL once, where its acknowledgement says; the WAL is dense.
        var store = _dir.Open();
        var wal = await IndexerKit.ReadWalAsync(store, keys);
        Assert.Equal(Enumerable.Range(1, wal.Count).Select(i => (ulong)i), wal.Select(e => e.Sequence));
        var where = new Dictionary<string, (ulong, int)>(StringComparer.Ordinal);
        foreach (var entry in wal)
        {
            for (var i = 0; i < entry.Writes.Count; i++)
            {
                Assert.True(where.TryAdd(entry.Writes[i].IdempotencyKey, (entry.Sequence, i)), $"write {entry.Writes[i].IdempotencyKey} is in the WAL twice");
            }
        }

        foreach (var (marker, ack) in acks)
        {
            Assert.Equal(ack, where[marker]);
        }

        // One chain; every manifest true to the WAL up to its watermark; the last covers the whole WAL.
        var instance = new IndexerInstance(store, keys, IndexerKit.Options());
        var chain = await IndexerKit.AssertChainAsync(instance.Manifests);
        Assert.Equal((ulong)wal.Count, chain[^1].WalWatermark);
        await IndexerKit.AssertEveryManifestTrueAsync(store, keys, chain, wal);
        var snapshot = await instance.SnapshotAsync();
        Assert.Empty(snapshot.Tail);
        IndexerKit.AssertState(Workload.Model(wal), snapshot);

        var totals = lines.Where(l => l.StartsWith("INDEX ", StringComparison.Ordinal)).ToList();
        Console.WriteLine($"cross-process race: {wal.Count} WAL entries, {chain.Count} manifests; racers: {string.Join(" | ", totals)}; {watch.Elapsed.TotalSeconds:F1} s");
    }

    private sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Starts one racer per argument list, releases them together with a "go" file, and waits for all (with a limit).</summary>
    private async Task<Result[]> RaceAsync(IReadOnlyList<string[]> racers, TimeSpan limit)
    {
        var processes = racers.Select(Start).ToArray();
        try
        {
            var outputs = processes.Select(p => (Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToArray();
            using var cts = new CancellationTokenSource(limit);
            var ready = Enumerable.Range(0, racers.Count).Select(i => Path.Combine(_barrier, "ready-" + i)).ToArray();
            while (!ready.All(File.Exists) && !processes.Any(p => p.HasExited))
            {
                await Task.Delay(5, cts.Token);
            }

            await File.WriteAllTextAsync(Path.Combine(_barrier, "go"), "go", cts.Token);
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
        info.ArgumentList.Add(RacerAssembly());
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("cannot start the indexer racer");
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static string RacerAssembly()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Microservices.sln")))
            {
                var assembly = Path.Combine(dir.FullName, "artifacts", "bin", "Moat.Indexer.Racer", configuration, "Moat.Indexer.Racer.dll");
                return File.Exists(assembly) ? assembly : throw new FileNotFoundException($"build tests/Moat.Indexer.Racer first ({configuration})", assembly);
            }
        }

        throw new InvalidOperationException("tests must run inside the Moat repository");
    }
}
