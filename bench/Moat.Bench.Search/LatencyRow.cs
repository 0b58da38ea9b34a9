using System.Globalization;

/// <summary>One line of a result table: latency percentiles and a quality figure (recall or agreement).</summary>
internal sealed record LatencyRow(string Engine, string Case, string Temperature, double P50, double P99, double Quality, string Note = "")
{
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];

    public static LatencyRow From(string engine, string @case, string temperature, List<double> latencies, double quality, string note = "")
    {
        latencies.Sort();
        return new LatencyRow(engine, @case, temperature, Percentile(latencies, 0.5), Percentile(latencies, 0.99), quality, note);
    }

    public static void Print(TextWriter output, string qualityName, IEnumerable<LatencyRow> rows)
    {
        output.WriteLine($"| engine | case | cache | p50 ms | p99 ms | {qualityName} | note |");
        output.WriteLine("| --- | --- | --- | ---: | ---: | ---: | --- |");
        foreach (var r in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Engine} | {r.Case} | {r.Temperature} | {r.P50:F2} | {r.P99:F2} | {r.Quality:F3} | {r.Note} |"));
        }
    }
}
