using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Moat.Query.Snapshots;
using Moat.Search;
using Moat.Search.Vectors;
using Moat.V1;

/// <summary>
/// Vectors in process: Moat.Search over a stored (sealed, on-disk) segment, warm and cold, against
/// LanceDB's library (node) on the same vectors, queries, filters and ground truth.
/// </summary>
internal static class VectorBench
{
    private const int ColdOpensPerCase = 5;

    public static NamespaceConfig Schema()
    {
        var schema = new NamespaceConfig { IdKind = IdKind.U64 };
        schema.Vectors["v"] = new Moat.V1.VectorColumn { Dimensions = VectorData.Dims, ElementType = VectorElementType.F32, Metric = DistanceMetric.Euclidean };
        schema.Attributes["bucket"] = new AttributeSchema { Type = AttributeType.Int64 };
        return schema;
    }

    public static Document Document(VectorData data, int i)
    {
        var d = new Document { Id = new DocumentId { U64 = (ulong)i } };
        var v = new Vector();
        v.Values.AddRange(data.Row(i).ToArray());
        d.Vectors["v"] = v;
        d.Attributes["bucket"] = new AttributeValue { IntValue = VectorData.Bucket(i) };
        return d;
    }

    public static Moat.Search.FilterExpr? Filter(int buckets) =>
        buckets >= 1000 ? null : new Moat.Search.Predicate("bucket", FilterOp.Lt, FieldValue.Int64(buckets));

    public static SearchQuery Query(float[] q, int buckets, bool exact, AnnStrategy strategy = AnnStrategy.Auto) => new()
    {
        RankBy = new VectorRanking("v", q, exact),
        TopK = VectorData.K,
        Filter = Filter(buckets),
        Projection = Moat.Search.Projection.IdsOnly,
        Ann = new AnnOptions { Strategy = strategy },
    };

    /// <summary>Exact top 10 per case and query (row ids), [case][query][rank] flattened.</summary>
    public static int[] Truth(SearchSnapshot snapshot, VectorData data)
    {
        var nq = data.Queries.Length;
        var truth = new int[VectorData.Cases.Length * nq * VectorData.K];
        Parallel.For(0, VectorData.Cases.Length * nq, cq =>
        {
            var (c, q) = (cq / nq, cq % nq);
            var hits = snapshot.Search(Query(data.Queries[q], VectorData.Cases[c].Buckets, exact: true)).Hits;
            for (var j = 0; j < VectorData.K; j++)
            {
                truth[(cq * VectorData.K) + j] = (int)hits[j].Id.U64;
            }
        });
        return truth;
    }

    public static double Recall(IEnumerable<ulong> got, ReadOnlySpan<int> want)
    {
        var n = 0;
        foreach (var id in got)
        {
            if (want.Contains((int)id))
            {
                n++;
            }
        }

        return n / (double)VectorData.K;
    }

    /// <summary>Runs the in-process rows, then <paramref name="extra"/> (end-to-end rows) if given, then LanceDB; prints the table.</summary>
    public static async Task RunAsync(int rows, int nq, TextWriter output, Func<VectorData, int[], List<LatencyRow>, List<string>, Task>? extra = null)
    {
        var sw = Stopwatch.StartNew();
        var data = new VectorData(rows, nq);
        Console.Error.WriteLine($"data: {sw.Elapsed.TotalSeconds:F1} s");
        var dir = Directory.CreateTempSubdirectory("moat-bench-search-").FullName;
        try
        {
            using var stored = StoredSegment.Build(dir, Schema(), Enumerable.Range(0, rows).Select(i => Document(data, i)));
            GC.Collect();
            Console.Error.WriteLine($"moat: segment {stored.BuildTime.TotalSeconds:F1} s (index {stored.IndexTime.TotalSeconds:F1} s), sealed {stored.SealedBytes / 1e6:F0} MB");
            sw.Restart();
            var snapshot = stored.Open();
            var firstOpen = sw.Elapsed;
            var index = (IvfSq8Index)snapshot.Segments[0].Vectors["v"].Index!;
            var truth = Truth(snapshot, data);
            Console.Error.WriteLine("moat: truth done");

            var results = new List<LatencyRow>();
            void Warm(string engine, bool exact, AnnStrategy strategy)
            {
                for (var c = 0; c < VectorData.Cases.Length; c++)
                {
                    var buckets = VectorData.Cases[c].Buckets;

                    // Unmeasured passes for at least a second: the JIT's tier-up of hot methods
                    // happens in the background after a delay, and a fast pass ends before it.
                    var warmup = Stopwatch.StartNew();
                    do
                    {
                        foreach (var q in data.Queries)
                        {
                            snapshot.Search(Query(q, buckets, exact, strategy));
                        }
                    }
                    while (warmup.Elapsed < TimeSpan.FromSeconds(1));

                    var lat = new List<double>(nq);
                    double recall = 0;
                    for (var q = 0; q < nq; q++)
                    {
                        var t = Stopwatch.GetTimestamp();
                        var hits = snapshot.Search(Query(data.Queries[q], buckets, exact, strategy)).Hits;
                        lat.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                        recall += Recall(hits.Select(h => h.Id.U64), truth.AsSpan(((c * nq) + q) * VectorData.K, VectorData.K));
                    }

                    results.Add(LatencyRow.From(engine, VectorData.Cases[c].Name, "warm", lat, recall / nq));
                }
            }

            Warm("moat exact", exact: true, AnnStrategy.Exact);
            Warm("moat IVF-SQ8 (auto)", exact: false, AnnStrategy.Auto);
            Warm("moat IVF-SQ8 (index forced)", exact: false, AnnStrategy.Index);

            // Cold: a fresh open, then its first query. Whole read: the sealed file read, unsealed
            // and adapted. Range reads: the query service's path (open = head, ids, tombstones; the
            // query then fetches the index head, the lists it probes and the rows it re-ranks).
            async Task Cold(bool ranged)
            {
                for (var c = 0; c < VectorData.Cases.Length; c++)
                {
                    var lat = new List<double>();
                    var opens = new List<double>();
                    var firsts = new List<double>();
                    var fetched = new List<double>();
                    double recall = 0;
                    for (var i = 0; i < ColdOpensPerCase; i++)
                    {
                        snapshot = null!;
                        GC.Collect();
                        var q = (i * 7) % nq;
                        var query = Query(data.Queries[q], VectorData.Cases[c].Buckets, exact: false);
                        var t = Stopwatch.GetTimestamp();
                        IReadOnlyList<RangeSegment> parts = [];
                        SearchSnapshot cold;
                        if (ranged)
                        {
                            (cold, parts) = await stored.OpenRangedAsync();
                        }
                        else
                        {
                            cold = stored.Open();
                        }

                        var opened = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                        var hits = (ranged ? await stored.SearchRangedAsync(cold, parts, query) : cold.Search(query)).Hits;
                        var total = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                        lat.Add(total);
                        opens.Add(opened);
                        firsts.Add(total - opened);
                        fetched.Add(parts.Sum(r => r.ResidentBytes) / 1e6);
                        recall += Recall(hits.Select(h => h.Id.U64), truth.AsSpan(((c * nq) + q) * VectorData.K, VectorData.K));
                        foreach (var part in parts)
                        {
                            part.Dispose();
                        }
                    }

                    opens.Sort();
                    firsts.Sort();
                    fetched.Sort();
                    var note = ranged
                        ? string.Create(CultureInfo.InvariantCulture, $"{ColdOpensPerCase} opens: open p50 {LatencyRow.Percentile(opens, 0.5):F1} ms; {LatencyRow.Percentile(fetched, 0.5):F1} MB of {stored.SealedBytes / 1e6:F0} MB read (p50)")
                        : string.Create(CultureInfo.InvariantCulture, $"{ColdOpensPerCase} opens: read+unseal+adapt p50 {LatencyRow.Percentile(opens, 0.5):F0} ms, first query p50 {LatencyRow.Percentile(firsts, 0.5):F2} ms");
                    results.Add(LatencyRow.From(ranged ? "moat IVF-SQ8 (auto), range reads" : "moat IVF-SQ8 (auto), whole read", VectorData.Cases[c].Name, "cold", lat, recall / ColdOpensPerCase, note));
                }
            }

            await Cold(ranged: false);
            await Cold(ranged: true);

            var notes = new List<string>();
            if (extra is not null)
            {
                await extra(data, truth, results, notes);
            }

            // Peer: the same vectors, queries and truth to LanceDB.
            var peerDir = Path.Combine(dir, "peer");
            Directory.CreateDirectory(peerDir);
            using (var f = File.Create(Path.Combine(peerDir, "data.f32")))
            {
                f.Write(MemoryMarshal.AsBytes(data.Data.AsSpan()));
            }

            File.WriteAllBytes(Path.Combine(peerDir, "queries.f32"), MemoryMarshal.AsBytes(data.Queries.SelectMany(q => q).ToArray().AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(peerDir, "truth.i32"), MemoryMarshal.AsBytes(truth.AsSpan()).ToArray());
            File.WriteAllText(Path.Combine(peerDir, "meta.json"), JsonSerializer.Serialize(new
            {
                rows,
                dims = VectorData.Dims,
                queries = nq,
                k = VectorData.K,
                cases = VectorData.Cases.Select(c => new { name = c.Name, buckets = c.Buckets }),
                moatProbes = index.DefaultProbes,
                coldOpens = ColdOpensPerCase,
            }));
            foreach (var line in PeerRunner.Enabled ? PeerRunner.Run("vectors", peerDir) : [])
            {
                PeerRunner.Parse(line, results, notes);
            }

            output.WriteLine($"### Vectors: {rows:N0} x {VectorData.Dims} f32, 100 gaussian clusters (centres N(0,1), points N(centre,1)), {nq} queries, k = {VectorData.K}, squared L2; filter bucket = row mod 1000 < n");
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"- moat: stored segment built in {stored.BuildTime.TotalSeconds:F1} s (IVF-SQ8 training + probe calibration {stored.IndexTime.TotalSeconds:F1} s), sealed {stored.SealedBytes / 1e6:F0} MB, first open {firstOpen.TotalMilliseconds:F0} ms; " +
                $"{index.Lists} lists, calibrated probes {index.ProbesFor(10)} (k = 10); index {index.MemoryBytes / (double)index.Count:F1} bytes/vector = {index.MemoryBytes / (index.Count * VectorData.Dims * 4.0):F3}x the raw f32 vectors"));
            foreach (var n in notes)
            {
                output.WriteLine($"- {n}");
            }

            output.WriteLine();
            LatencyRow.Print(output, "recall@10", results);
            output.WriteLine();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
