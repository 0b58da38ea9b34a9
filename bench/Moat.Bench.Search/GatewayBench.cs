using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Moat.V1;

/// <summary>
/// End to end: the same data through the public gRPC API of a running <c>./moat dev</c> stack (the
/// profile at &lt;state-dir&gt;/profile.json: endpoint, ca_file, api_key, region): CreateNamespace
/// through RegionService, batched Write upserts, wait until indexed, then Query (vector rank with
/// the same filters, or BM25) measured at the client. Rows join the in-process table (and
/// LanceDB's), so the transport's share is visible.
/// </summary>
internal static class GatewayBench
{
    private const int BatchBytes = 2 << 20;

    // The write service takes at most 10,000 operations per write.
    private const int MaxBatchDocuments = 5000;

    public static Task RunAsync(int rows, int nq, string stateDir, bool text, TextWriter output) => text
        ? TextBench.RunAsync(nq, output, (corpus, top, results, notes) => TextRowsAsync(stateDir, corpus, top, results, notes))
        : VectorBench.RunAsync(rows, nq, output, (data, truth, results, notes) => VectorRowsAsync(stateDir, data, truth, results, notes));

    private sealed record Profile(string Endpoint, string CaFile, string ApiKey, string Region);

    private static Profile LoadProfile(string stateDir)
    {
        var path = Path.Combine(stateDir, "profile.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var r = doc.RootElement;
        return new Profile(r.GetProperty("endpoint").GetString()!, r.GetProperty("ca_file").GetString()!, r.GetProperty("api_key").GetString()!, r.GetProperty("region").GetString()!);
    }

    /// <summary>TLS trusting only the profile's CA, like any customer client.</summary>
    private static GrpcChannel Channel(Profile profile)
    {
        var root = X509Certificate2.CreateFromPem(File.ReadAllText(profile.CaFile));
        var ssl = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, certificate, sent, _) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(root);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                if (sent is not null)
                {
                    chain.ChainPolicy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
                }

                return chain.Build(leaf);
            },
        };
        return GrpcChannel.ForAddress(profile.Endpoint, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { SslOptions = ssl, EnableMultipleHttp2Connections = true },
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 64 << 20,
            MaxSendMessageSize = 64 << 20,
        });
    }

    private sealed class Session(Profile profile) : IDisposable
    {
        private readonly GrpcChannel channel = Channel(profile);

        public Profile Profile { get; } = profile;

        public Metadata Key { get; } = new() { { "authorization", "Bearer " + profile.ApiKey } };

        public RegionService.RegionServiceClient Region => new(channel);

        public WriteService.WriteServiceClient Write => new(channel);

        public QueryService.QueryServiceClient Query => new(channel);

        public void Dispose() => channel.Dispose();
    }

    /// <summary>Creates the namespace, writes the documents in batches of about 2 MB, waits until the indexer caught up.</summary>
    private static async Task<string> LoadAsync(Session s, string prefix, NamespaceConfig schema, int count, Func<int, Document> document, List<string> notes)
    {
        var name = $"{prefix}-{DateTime.UtcNow:yyyyMMddHHmmss}";
        await s.Region.CreateNamespaceAsync(new CreateNamespaceRequest { Namespace = name, Region = s.Profile.Region, Config = schema }, s.Key);
        var sw = Stopwatch.StartNew();
        var batch = new WriteRequest { Namespace = name };
        var writes = 0;
        for (var i = 0; i < count; i++)
        {
            batch.Upserts.Add(document(i));
            if (batch.Upserts.Count >= MaxBatchDocuments || batch.CalculateSize() >= BatchBytes || i == count - 1)
            {
                await s.Write.WriteAsync(batch, s.Key);
                writes++;
                batch = new WriteRequest { Namespace = name };
            }
        }

        var written = sw.Elapsed;
        sw.Restart();
        ulong unindexed;
        do
        {
            await Task.Delay(500);
            unindexed = (await s.Query.GetNamespaceAsync(new GetNamespaceRequest { Namespace = name }, s.Key)).Info.UnindexedBytes;
        }
        while (unindexed > 0 && sw.Elapsed < TimeSpan.FromMinutes(30));

        var indexed = sw.Elapsed;

        // Then let background compaction settle (the namespace's stored size unchanged for 5 s), so
        // the query rows measure a steady namespace, not the loads of each new manifest.
        sw.Restart();
        var stable = 0;
        var size = 0UL;
        while (stable < 5 && sw.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(1000);
            var now = (await s.Query.GetNamespaceAsync(new GetNamespaceRequest { Namespace = name }, s.Key)).Info.ApproxLogicalBytes;
            stable = now == size ? stable + 1 : 0;
            size = now;
        }

        var settled = sw.Elapsed;

        // And until the query service holds the namespace whole (its background read after the
        // range-read opens), then a quiet moment for the stack's other background work.
        sw.Restart();
        while ((await s.Query.WarmCacheAsync(new WarmCacheRequest { Namespace = name }, s.Key)).Temperature != CacheTemperature.Hot
            && sw.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(500);
        }

        var hot = sw.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(30));
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"moat via gateway: namespace {name}: {count:N0} documents in {writes} writes, {written.TotalSeconds:F1} s ({count / written.TotalSeconds:F0} docs/s); indexed {indexed.TotalSeconds:F1} s later (unindexed bytes {unindexed}); compaction settled {settled.TotalSeconds:F0} s after that, the query service hot {hot.TotalSeconds:F0} s after that; queries began 30 s later"));
        return name;
    }

    private static async Task VectorRowsAsync(string stateDir, VectorData data, int[] truth, List<LatencyRow> results, List<string> notes)
    {
        using var s = new Session(LoadProfile(stateDir));
        var ns = await LoadAsync(s, $"bench-v{data.Rows}", VectorBench.Schema(), data.Rows, i => VectorBench.Document(data, i), notes);
        var nq = data.Queries.Length;
        QueryRequest Request(int q, int buckets, Consistency consistency = Consistency.Strong)
        {
            var v = new Vector();
            v.Values.AddRange(data.Queries[q]);
            var spec = new QuerySpec
            {
                RankBy = new RankBy { Vector = new VectorRank { Column = "v", Vector = v } },
                TopK = VectorData.K,
                Projection = new Projection { ExcludeAllAttributes = true },
            };
            if (buckets < 1000)
            {
                spec.Filter = new Filter { Predicate = new Predicate { Attribute = "bucket", Op = FilterOperator.Lt, Value = new AttributeValue { IntValue = buckets } } };
            }

            return new QueryRequest { Namespace = ns, Query = spec, Consistency = consistency };
        }

        foreach (var consistency in new[] { Consistency.Strong, Consistency.Eventual })
        {
            for (var c = 0; c < VectorData.Cases.Length; c++)
            {
                var buckets = VectorData.Cases[c].Buckets;
                var first = Stopwatch.GetTimestamp();
                var firstResponse = await s.Query.QueryAsync(Request(0, buckets, consistency), s.Key);
                var firstMs = Stopwatch.GetElapsedTime(first).TotalMilliseconds;
                for (var q = 0; q < nq; q++)
                {
                    await s.Query.QueryAsync(Request(q, buckets, consistency), s.Key);
                }

                var lat = new List<double>(nq);
                double recall = 0;
                for (var q = 0; q < nq; q++)
                {
                    var t = Stopwatch.GetTimestamp();
                    var r = await s.Query.QueryAsync(Request(q, buckets, consistency), s.Key);
                    lat.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                    recall += VectorBench.Recall(r.Result.Rows.Select(row => row.Document.Id.U64), truth.AsSpan(((c * nq) + q) * VectorData.K, VectorData.K));
                }

                results.Add(LatencyRow.From($"moat via gateway (gRPC, TLS, {Label(consistency)})", VectorData.Cases[c].Name, "warm", lat, recall / nq,
                    string.Create(CultureInfo.InvariantCulture, $"first query of the case {firstMs:F1} ms ({firstResponse.Performance.CacheTemperature})")));
            }
        }
    }

    private static async Task TextRowsAsync(string stateDir, TextCorpus corpus, List<ulong[]> top, List<LatencyRow> results, List<string> notes)
    {
        using var s = new Session(LoadProfile(stateDir));
        var ns = await LoadAsync(s, "bench-text", TextBench.Schema(), corpus.Documents.Count, i => TextBench.Document(corpus.Documents[i], i), notes);
        QueryRequest Request(int q, Consistency consistency) => new()
        {
            Namespace = ns,
            Consistency = consistency,
            Query = new QuerySpec
            {
                RankBy = new RankBy { Text = new TextRank { Bm25 = new Bm25Term { Attribute = "text", Query = corpus.Queries[q] } } },
                TopK = 10,
                Projection = new Projection { ExcludeAllAttributes = true },
            },
        };
        foreach (var consistency in new[] { Consistency.Strong, Consistency.Eventual })
        {
            var first = Stopwatch.GetTimestamp();
            var firstResponse = await s.Query.QueryAsync(Request(0, consistency), s.Key);
            var firstMs = Stopwatch.GetElapsedTime(first).TotalMilliseconds;
            for (var q = 0; q < corpus.Queries.Count; q++)
            {
                await s.Query.QueryAsync(Request(q, consistency), s.Key);
            }

            var lat = new List<double>();
            double agree = 0;
            for (var q = 0; q < corpus.Queries.Count; q++)
            {
                var t = Stopwatch.GetTimestamp();
                var r = await s.Query.QueryAsync(Request(q, consistency), s.Key);
                lat.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                var got = r.Result.Rows.Select(row => row.Document.Id.U64).ToList();
                var n = Math.Max(got.Count, top[q].Length);
                agree += n == 0 ? 1 : got.Count(top[q].Contains) / (double)n;
            }

            results.Add(LatencyRow.From($"moat via gateway (gRPC, TLS, {Label(consistency)})", "BM25", "warm", lat, agree / corpus.Queries.Count,
                string.Create(CultureInfo.InvariantCulture, $"first query {firstMs:F1} ms ({firstResponse.Performance.CacheTemperature})")));
        }
    }

    private static string Label(Consistency c) => c == Consistency.Eventual ? "eventual" : "strong";
}
