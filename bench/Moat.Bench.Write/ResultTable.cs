using System.Globalization;
using System.Runtime.InteropServices;

namespace Moat.Bench.Write;

/// <summary>Prints the comparison table, the verdict per goal, and the exact commands.</summary>
internal static class ResultTable
{
    public static void Print(TextWriter output, List<CaseResult> rows, BenchOptions options, string? lanceVersion, string loadBefore, string loadAfter)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine("| batch | writers | put bytes | Moat docs/s | floor docs/s | LanceDB docs/s | Moat / floor | Moat / LanceDB | Moat ack p50 / p99 ms | floor p50 / p99 ms | LanceDB p50 / p99 ms | Moat p50 / floor p50 | writes / entry | Moat GC pause ms | pre-built: Moat docs/s | pre-built / LanceDB |");
        output.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in rows)
        {
            var moat = CaseResult.Best(row.Moat)!;
            var floor = CaseResult.Best(row.Floor)!;
            var lance = CaseResult.Best(row.LanceDb);
            var prebuilt = CaseResult.Best(row.MoatPrebuilt)!;
            output.WriteLine(string.Create(c,
                $"| {row.Batch} | {row.Writers} | {row.FloorBytes} | {moat.DocumentsPerSecond:F0} | {floor.DocumentsPerSecond:F0} | {Value(lance?.DocumentsPerSecond)} | {Ratio(moat.DocumentsPerSecond, floor.DocumentsPerSecond)} | {Ratio(moat.DocumentsPerSecond, lance?.DocumentsPerSecond)} | {Latency(moat)} | {Latency(floor)} | {Latency(lance)} | {Ratio(moat.P50Ms, floor.P50Ms)} | {(double)moat.Operations / Math.Max(1, moat.Entries):F1} | {moat.GcPauseMs:F0} | {prebuilt.DocumentsPerSecond:F0} | {Ratio(prebuilt.DocumentsPerSecond, lance?.DocumentsPerSecond)} |"));
        }

        output.WriteLine();
        output.WriteLine("Goals:");
        foreach (var row in rows.Where(r => r.Batch == 1 && r.Writers == 64))
        {
            var moat = CaseResult.Best(row.Moat)!;
            var floor = CaseResult.Best(row.Floor)!;
            output.WriteLine(string.Create(c,
                $"- single-document writes, 64 writers: ack p50 {moat.P50Ms:F2} ms (goal < 10 ms: {(moat.P50Ms < 10 ? "met" : "MISSED")}); {moat.P50Ms / floor.P50Ms:F2}x the bare put's p50 (goal <= 3x: {(moat.P50Ms <= 3 * floor.P50Ms ? "met" : "MISSED")})"));
        }

        foreach (var row in rows.Where(r => r.Batch > 1 && r.LanceDb.Count > 0))
        {
            var lance = CaseResult.Best(row.LanceDb)!.DocumentsPerSecond;
            var ratio = CaseResult.Best(row.Moat)!.DocumentsPerSecond / lance;
            output.WriteLine(string.Create(c,
                $"- bulk {row.Batch} x {row.Writers} writers: {ratio:F2}x LanceDB's docs/s (goal >= 0.5x: {(ratio >= 0.5 ? "met" : "MISSED")}); writes built beforehand: {CaseResult.Best(row.MoatPrebuilt)!.DocumentsPerSecond / lance:F2}x"));
        }

        output.WriteLine();
        output.WriteLine(string.Create(c,
            $"Best of {options.Rounds} round(s) of {options.Seconds} s per system and case (after {options.Warmup} s warm-up each); floor, Moat, Moat with pre-built writes, LanceDB in turn per case."));
        output.WriteLine(string.Create(c,
            $"{BenchOptions.WriteDataSetSize} seeded rows (seed {BenchOptions.Seed}); 128 x float32 + category (string) + count (int64) + score (double); batch n takes rows [(n x batch) mod {BenchOptions.WriteDataSetSize}, +batch)."));
        output.WriteLine($"Store directory: {options.Directory} ({FileSystemOf(options.Directory)}); LanceDB {lanceVersion ?? "not run"} on node {NodeVersion()}.");
        output.WriteLine($"Machine: {Environment.ProcessorCount} cores, {CpuModel()}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; load average before {loadBefore}, after {loadAfter}.");
        output.WriteLine();
        output.WriteLine("Commands:");
        output.WriteLine("  dotnet build -c Release bench/Moat.Bench.Write && dotnet artifacts/bin/Moat.Bench.Write/release/Moat.Bench.Write.dll " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
        output.WriteLine("  LanceDB per case: " + LanceDbPeer.Command(1, 64, options.Seconds, options.Warmup).Replace(" 1 64 ", " <batch> <writers> ", StringComparison.Ordinal));
    }

    private static string Value(double? value) => value is { } v ? v.ToString("F0", CultureInfo.InvariantCulture) : "n/a";

    private static string Ratio(double ours, double? peer) =>
        peer is { } p && p > 0 ? (ours / p).ToString("F2", CultureInfo.InvariantCulture) + "x" : "n/a";

    private static string Latency(RunResult? run) =>
        run is null ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{run.P50Ms:F2} / {run.P99Ms:F2}");

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "?" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    /// <summary>The mount (device and type) holding <paramref name="path"/>, from /proc/mounts.</summary>
    private static string FileSystemOf(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            var best = File.ReadLines("/proc/mounts").Select(l => l.Split(' '))
                .Where(f => f.Length > 2 && (full == f[1] || full.StartsWith(f[1].TrimEnd('/') + "/", StringComparison.Ordinal)))
                .MaxBy(f => f[1].Length);
            return best is null ? "?" : $"{best[2]} on {best[0]}";
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string NodeVersion()
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false });
            var version = process!.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return version;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "missing";
        }
    }
}
