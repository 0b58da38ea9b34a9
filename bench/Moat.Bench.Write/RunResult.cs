using System.Globalization;

namespace Moat.Bench.Write;

/// <summary>What one closed-loop run of one system measured: documents acknowledged, elapsed time, latency per operation.</summary>
internal sealed record RunResult(long Documents, long Operations, double Seconds, double P50Ms, double P99Ms)
{
    public double DocumentsPerSecond => Documents / Seconds;

    /// <summary>p50 and p99 of the sorted latencies (nearest rank).</summary>
    public static RunResult From(long documents, double seconds, double[] latenciesMs)
    {
        Array.Sort(latenciesMs);
        return new RunResult(documents, latenciesMs.Length, seconds, Percentile(latenciesMs, 0.50), Percentile(latenciesMs, 0.99));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{DocumentsPerSecond:F0} docs/s, {Operations} ops in {Seconds:F2} s, p50 {P50Ms:F2} ms, p99 {P99Ms:F2} ms");

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
