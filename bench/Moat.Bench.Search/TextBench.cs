using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Moat.Search;
using Moat.V1;

/// <summary>
/// BM25 in process: Moat.Search over a stored (sealed, on-disk) segment of the text corpus, warm
/// and cold, against LanceDB's full-text search on the same paragraphs and queries. Both are BM25
/// with the same analysis (words, lower-cased, no stemming, no stop words): the quality column is
/// the overlap of their top 10, not a recall.
/// </summary>
internal static class TextBench
{
    private const int ColdOpens = 5;

    public static NamespaceConfig Schema()
    {
        var schema = new NamespaceConfig { IdKind = IdKind.U64 };
        schema.Attributes["text"] = new AttributeSchema
        {
            Type = AttributeType.String,
            Filterable = false,
            FullText = new FullTextOptions { Tokenizer = Tokenizer.Word, Stemming = false, RemoveStopwords = false },
        };
        return schema;
    }

    public static Document Document(string text, int i)
    {
        var d = new Document { Id = new DocumentId { U64 = (ulong)i } };
        d.Attributes["text"] = new AttributeValue { StringValue = text };
        return d;
    }

    public static SearchQuery Query(string q) => new()
    {
        RankBy = new TextRanking(new Bm25Expr("text", q)),
        TopK = 10,
        Projection = Moat.Search.Projection.IdsOnly,
    };

    /// <summary>Runs the in-process rows, then <paramref name="extra"/> (end-to-end rows) if given, then LanceDB; prints the table.</summary>
    public static async Task RunAsync(int nq, TextWriter output, Func<TextCorpus, List<ulong[]>, List<LatencyRow>, List<string>, Task>? extra = null)
    {
        var corpus = TextCorpus.Load(nq);
        var dir = Directory.CreateTempSubdirectory("moat-bench-text-").FullName;
        try
        {
            using var stored = StoredSegment.Build(dir, Schema(), corpus.Documents.Select(Document));
            var snapshot = stored.Open();
            long textIndexBytes;
            long positionBytes;
            var results = new List<LatencyRow>();
            foreach (var q in corpus.Queries)
            {
                snapshot.Search(Query(q));
            }

            var top = new List<ulong[]>();
            var lat = new List<double>();
            for (var q = 0; q < nq; q++)
            {
                var t = Stopwatch.GetTimestamp();
                var hits = snapshot.Search(Query(corpus.Queries[q])).Hits;
                lat.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                top.Add(hits.Select(h => h.Id.U64).ToArray());
            }

            results.Add(LatencyRow.From("moat BM25", "BM25", "warm", lat, 1.0, "reference for the overlap"));
            var cold = new List<double>();
            for (var i = 0; i < ColdOpens; i++)
            {
                snapshot = null!;
                GC.Collect();
                var t = Stopwatch.GetTimestamp();
                snapshot = stored.Open();
                snapshot.Search(Query(corpus.Queries[(i * 7) % nq]));
                cold.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }

            results.Add(LatencyRow.From("moat BM25, whole read", "BM25", "cold", cold, 1.0, $"{ColdOpens} opens (read+unseal+adapt), then the first query"));

            // The query service's path: open by ranges, then the query fetches the field's sections.
            var ranged = new List<double>();
            var fetched = new List<double>();
            for (var i = 0; i < ColdOpens; i++)
            {
                GC.Collect();
                var t = Stopwatch.GetTimestamp();
                var (coldSnapshot, parts) = await stored.OpenRangedAsync();
                await stored.SearchRangedAsync(coldSnapshot, parts, Query(corpus.Queries[(i * 7) % nq]));
                ranged.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                fetched.Add(parts.Sum(r => r.ResidentBytes) / 1e6);
                foreach (var part in parts)
                {
                    part.Dispose();
                }
            }

            fetched.Sort();
            results.Add(LatencyRow.From("moat BM25, range reads", "BM25", "cold", ranged, 1.0,
                string.Create(CultureInfo.InvariantCulture, $"{ColdOpens} opens by ranges, then the first query; {LatencyRow.Percentile(fetched, 0.5):F1} MB of {stored.SealedBytes / 1e6:F1} MB read (p50)")));
            var attr = snapshot.Segments[0].Attributes["text"];
            var ti = attr.TextIndex!;
            positionBytes = (long)ti.PositionStartBytes.Length + ti.PositionBytes.Length;
            textIndexBytes = (long)ti.Terms.StringOffsets.Length + ti.Terms.StringBytes.Length + ti.DocumentLengthBytes.Length + ti.TermPostingStartBytes.Length
                + ti.PostingRowBytes.Length + ti.PostingFrequencyBytes.Length + positionBytes;

            var notes = new List<string>();
            if (extra is not null)
            {
                await extra(corpus, top, results, notes);
            }

            var peerDir = Path.Combine(dir, "peer");
            Directory.CreateDirectory(peerDir);
            File.WriteAllText(Path.Combine(peerDir, "docs.json"), JsonSerializer.Serialize(corpus.Documents));
            File.WriteAllText(Path.Combine(peerDir, "queries.json"), JsonSerializer.Serialize(corpus.Queries));
            File.WriteAllText(Path.Combine(peerDir, "moat-top10.json"), JsonSerializer.Serialize(top));
            File.WriteAllText(Path.Combine(peerDir, "meta.json"), JsonSerializer.Serialize(new { coldOpens = ColdOpens }));
            foreach (var line in PeerRunner.Enabled ? PeerRunner.Run("text", peerDir) : [])
            {
                PeerRunner.Parse(line, results, notes);
            }

            output.WriteLine($"### BM25: {corpus.Documents.Count:N0} paragraphs of Debian's {TextCorpus.Package} ({TextCorpus.Root}), {nq} queries of 2-3 words, top 10");
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"- moat: stored segment built in {stored.BuildTime.TotalSeconds:F1} s, sealed {stored.SealedBytes / 1e6:F1} MB; inverted index {textIndexBytes / 1e6:F1} MB ({(textIndexBytes - positionBytes) / 1e6:F1} MB without the positions phrase queries use); " +
                $"mean hits returned {top.Average(t => t.Length):F1}"));
            foreach (var n in notes)
            {
                output.WriteLine($"- {n}");
            }

            output.WriteLine();
            LatencyRow.Print(output, "top-10 overlap with moat", results);
            output.WriteLine();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
