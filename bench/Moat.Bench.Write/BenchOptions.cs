using System.Globalization;

namespace Moat.Bench.Write;

/// <summary>Command line: <c>[--seconds S] [--warmup S] [--rounds N] [--cases 1x64,100x1,...] [--dir PATH] [--window MS] [--no-lancedb]</c>.</summary>
internal sealed record BenchOptions(double Seconds, double Warmup, int Rounds, IReadOnlyList<(int Batch, int Writers)> Cases, string Directory, bool LanceDb, TimeSpan? Window)
{
    public const string DefaultCases = "1x64,1x1,100x1,100x16,10000x1,10000x4";

    public static BenchOptions Parse(string[] args)
    {
        var seconds = 3.0;
        var warmup = 0.5;
        var rounds = 1;
        var cases = DefaultCases;
        var directory = Path.GetTempPath();
        var lance = true;
        TimeSpan? window = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--cases": cases = args[++i]; break;
                case "--dir": directory = args[++i]; break;
                case "--no-lancedb": lance = false; break;
                case "--window": window = TimeSpan.FromMilliseconds(double.Parse(args[++i], CultureInfo.InvariantCulture)); break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: [--seconds S] [--warmup S] [--rounds N] [--cases {DefaultCases}] [--dir PATH] [--window MS] [--no-lancedb]");
            }
        }

        var parsed = cases.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => c.Split('x'))
            .Select(p => (int.Parse(p[0], CultureInfo.InvariantCulture), int.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToArray();
        if (parsed.Any(c => c.Item1 < 1 || c.Item1 > WriteDataSetSize || WriteDataSetSize % c.Item1 != 0 || c.Item2 < 1))
        {
            throw new ArgumentException($"--cases: each case is BATCHxWRITERS with a batch that divides {WriteDataSetSize} and at least one writer.");
        }

        return new BenchOptions(seconds, warmup, rounds, parsed, directory, lance, window);
    }

    /// <summary>Rows generated (every batch is a contiguous slice of them).</summary>
    public const int WriteDataSetSize = 20_000;

    public const ulong Seed = 20_260_707;
}
