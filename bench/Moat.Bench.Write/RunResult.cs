using System.Globalization;

namespace Moat.Bench.Write;

/// <summary>What one closed-loop run of one system measured: documents acknowledged, elapsed time, latency per operation.</summary>
internal sealed record RunResult(long Documents, long Operations, double Seconds, double P50Ms, double P99Ms)
{
    public double DocumentsPerSecond => Documents / Seconds;

    /// <summary>Time this process's GC paused it during the run (0 for the node peer).</summary>
    public double GcPauseMs { get; init; }

    /// <summary>WAL entries the run wrote (Moat only).</summary>
    public int Entries { get; init; }

    /// <summary>p50 and p99 of the sorted latencies (nearest rank).</summary>
    public static RunResult From(long documents, double seconds, double[] latenciesMs)
    {
        Array.Sort(latenciesMs);
        return new RunResult(documents, latenciesMs.Length, seconds, Percentile(latenciesMs, 0.50), Percentile(latenciesMs, 0.99));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{DocumentsPerSecond:F0} docs/s, {Operations} ops in {Seconds:F2} s, p50 {P50Ms:F2} ms, p99 {P99Ms:F2} ms, GC paused {GcPauseMs:F0} ms{(Entries > 0 ? $", {Entries} entries" : "")}");

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
