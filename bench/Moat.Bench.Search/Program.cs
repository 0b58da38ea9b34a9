using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Moat.Search;
using Moat.Search.Vectors;

// Moat.Search in process vs LanceDB (node) on the same seeded clustered vectors and filters.
// Usage: dotnet run -c Release --project bench/Moat.Bench.Search [rows] [queries]
var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var nq = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
const int Dims = 128;
const int K = 10;
(string Name, int Buckets)[] cases = [("unfiltered", 1000), ("50%", 500), ("5%", 50), ("0.5%", 5)];

var rng = new SeededRandom(20240611);
var centers = Enumerable.Range(0, 100).Select(_ => Enumerable.Range(0, Dims).Select(_ => (float)rng.NextGaussian()).ToArray()).ToArray();
float[] Sample()
{
    var c = centers[rng.Next(centers.Length)];
    return c.Select(x => x + (float)rng.NextGaussian()).ToArray();
}

var data = new float[rows * Dims];
for (var i = 0; i < rows; i++)
{
    Sample().CopyTo(data, i * Dims);
}

var queries = Enumerable.Range(0, nq).Select(_ => Sample()).ToArray();

var sw = Stopwatch.StartNew();
var builder = new SearchSegmentBuilder(DocIdKind.U64, "bench").Vector("v", Dims, VectorMetric.Euclidean);
for (var i = 0; i < rows; i++)
{
    builder.Add(DocId.FromU64((ulong)i), new Dictionary<string, FieldValue?> { ["bucket"] = FieldValue.Int64(i % 1000) }, new Dictionary<string, float[]> { ["v"] = data.AsSpan(i * Dims, Dims).ToArray() });
}

var ingest = sw.Elapsed;
IvfSq8Index? index = null;
var indexTime = TimeSpan.Zero;
builder.VectorIndexFactory = c =>
{
    var t = Stopwatch.StartNew();
    index = IvfSq8Index.Train(c);
    indexTime = t.Elapsed;
    return index;
};
var snapshot = new SearchSnapshot([builder.Build()]);
GC.Collect();

FilterExpr? Filter(int buckets) => buckets >= 1000 ? null : new Predicate("bucket", FilterOp.Lt, FieldValue.Int64(buckets));
SearchResult Run(float[] q, int buckets, bool exact, AnnStrategy strategy = AnnStrategy.Auto) => snapshot.Search(new SearchQuery
{
    RankBy = new VectorRanking("v", q, exact),
    TopK = K,
    Filter = Filter(buckets),
    Projection = Projection.IdsOnly,
    Ann = new AnnOptions { Strategy = strategy },
});

// Ground truth (exact) for every case, shared with the peer.
var truth = new int[cases.Length * nq * K];
for (var c = 0; c < cases.Length; c++)
{
    for (var q = 0; q < nq; q++)
    {
        var hits = Run(queries[q], cases[c].Buckets, exact: true).Hits;
        for (var j = 0; j < K; j++)
        {
            truth[(((c * nq) + q) * K) + j] = (int)hits[j].Id.U64;
        }
    }
}

var results = new List<(string Engine, string Case, double P50, double P99, double Recall)>();
void Measure(string engine, bool exact, AnnStrategy strategy)
{
    for (var c = 0; c < cases.Length; c++)
    {
        // Warm up past tiered JIT: every query once, unmeasured.
        foreach (var q in queries)
        {
            Run(q, cases[c].Buckets, exact, strategy);
        }

        var lat = new double[nq];
        double recall = 0;
        for (var q = 0; q < nq; q++)
        {
            var t = Stopwatch.GetTimestamp();
            var hits = Run(queries[q], cases[c].Buckets, exact, strategy).Hits;
            lat[q] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            var want = truth.AsSpan(((c * nq) + q) * K, K).ToArray();
            recall += hits.Count(h => want.Contains((int)h.Id.U64)) / (double)K;
        }

        Array.Sort(lat);
        results.Add((engine, cases[c].Name, lat[nq / 2], lat[Math.Min(nq - 1, (int)(nq * 0.99))], recall / nq));
    }
}

Measure("moat exact", exact: true, AnnStrategy.Exact);
Measure("moat IVF-SQ8 (auto)", exact: false, AnnStrategy.Auto);
Measure("moat IVF-SQ8 (index forced)", exact: false, AnnStrategy.Index);

// Peer: hand the same vectors, queries and truth to LanceDB.
var dir = Directory.CreateTempSubdirectory("moat-bench-search-").FullName;
var peerNotes = new List<string>();
try
{
    File.WriteAllBytes(Path.Combine(dir, "data.f32"), MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
    File.WriteAllBytes(Path.Combine(dir, "queries.f32"), MemoryMarshal.AsBytes(queries.SelectMany(q => q).ToArray().AsSpan()).ToArray());
    File.WriteAllBytes(Path.Combine(dir, "truth.i32"), MemoryMarshal.AsBytes(truth.AsSpan()).ToArray());
    File.WriteAllText(Path.Combine(dir, "meta.json"), JsonSerializer.Serialize(new { rows, dims = Dims, queries = nq, k = K, cases = cases.Select(c => new { name = c.Name, buckets = c.Buckets }) }));
    var peer = PeerRunner.Run(dir);
    foreach (var line in peer)
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        switch (r.GetProperty("kind").GetString())
        {
            case "query":
                results.Add((r.GetProperty("engine").GetString()!, r.GetProperty("case").GetString()!, r.GetProperty("p50").GetDouble(), r.GetProperty("p99").GetDouble(), r.GetProperty("recall").GetDouble()));
                break;
            case "ingest":
                peerNotes.Add($"lancedb ingest {r.GetProperty("ms").GetDouble() / 1000:F1} s");
                break;
            default:
                peerNotes.Add($"{r.GetProperty("engine").GetString()} index build {r.GetProperty("ms").GetDouble() / 1000:F1} s");
                break;
        }
    }
}
finally
{
    Directory.Delete(dir, recursive: true);
}

Console.WriteLine($"{rows} x {Dims} f32, 100 gaussian clusters, {nq} queries, k = {K}, squared L2; filter bucket = row mod 1000 < n");
Console.WriteLine($"moat: segment build {ingest.TotalSeconds:F1} s, IVF-SQ8 train {indexTime.TotalSeconds:F1} s, {index!.Lists} lists, {index.DefaultProbes} probes, {(double)index.MemoryBytes / index.Count:F1} bytes/vector");
Console.WriteLine(string.Join("; ", peerNotes));
Console.WriteLine();
Console.WriteLine("| engine | case | p50 ms | p99 ms | recall@10 |");
Console.WriteLine("| --- | --- | ---: | ---: | ---: |");
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Engine} | {r.Case} | {r.P50:F2} | {r.P99:F2} | {r.Recall:F3} |"));
}
