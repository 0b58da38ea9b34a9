using System.Globalization;

// Moat.Search against LanceDB (node, @lancedb/lancedb) on the same data (BENCHMARKS.md, "Search").
//   vectors [rows] [queries]   in process: stored segment warm and cold vs LanceDB IVF_FLAT / IVF_HNSW_SQ
//   text [queries]             in process: BM25 over python3.11-doc paragraphs vs LanceDB full-text search
//   e2e [rows] [queries] [--state-dir DIR] [--text]
//                              end to end: a gRPC client through the gateway of a running `./moat dev`
//   all [rows] [queries]       vectors, then text
//   --no-peer                  leave LanceDB out
// Results (markdown) go to stdout; progress to stderr.
var mode = args.Length > 0 ? args[0] : "vectors";
int Arg(int i, int fallback) => args.Length > i && int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : fallback;
string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
var output = Console.Out;
PeerRunner.Enabled = !args.Contains("--no-peer");
output.WriteLine($"_{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC_");
output.WriteLine();
switch (mode)
{
    case "vectors":
        await VectorBench.RunAsync(Arg(1, 100_000), Arg(2, 200), output);
        break;
    case "text":
        await TextBench.RunAsync(Arg(1, 200), output);
        break;
    case "all":
        await VectorBench.RunAsync(Arg(1, 100_000), Arg(2, 200), output);
        await TextBench.RunAsync(Arg(2, 200), output);
        break;
    case "e2e":
        await GatewayBench.RunAsync(Arg(1, 100_000), Arg(2, 200), Option("--state-dir") ?? ".moat/dev", args.Contains("--text"), output);
        break;
    default:
        Console.Error.WriteLine("usage: Moat.Bench.Search vectors|text|all|e2e [rows] [queries] [--state-dir DIR] [--text]");
        return 2;
}

return 0;
