using Moat.Internal.V1;
using Moat.Query.Snapshots;
using Moat.Search;
using Moat.Search.Vectors;
using Moat.Segments;
using Moat.Segments.Indexing;
using Moat.Segments.Segments;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.Testing;
using Moat.V1;
using Predicate = Moat.Search.Predicate;
using Projection = Moat.Search.Projection;

namespace Moat.Query.Tests;

/// <summary>
/// Range reads for cold queries: real sealed segments on a local store, opened by
/// <see cref="RangeSegment"/> and searched through <see cref="RangeSearch"/>, answer exactly what
/// the same segments read whole answer, while fetching only what each query reads; a tampered
/// chunk a query needs fails it, never serves it.
/// </summary>
public sealed class RangeReadTests : IDisposable
{
    private const string Nsid = "nsrange1";
    private const int Dims = 64;
    private static readonly byte[] Dek = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("moat-range-").FullName;
    private readonly LocalFileSystemStore _local;
    private readonly CountingStore _store;

    public RangeReadTests()
    {
        _local = new LocalFileSystemStore(_dir, "test-region");
        _store = new CountingStore(_local);
    }

    public void Dispose()
    {
        _local.Dispose();
        System.IO.Directory.Delete(_dir, recursive: true);
    }

    private static NamespaceConfig Schema()
    {
        var c = new NamespaceConfig { IdKind = IdKind.U64 };
        c.Vectors["emb"] = new Moat.V1.VectorColumn { Dimensions = Dims, ElementType = VectorElementType.F32, Metric = DistanceMetric.Euclidean };
        c.Vectors["unit"] = new Moat.V1.VectorColumn { Dimensions = 4, ElementType = VectorElementType.F16, Metric = DistanceMetric.Cosine };
        c.Attributes["cat"] = new AttributeSchema { Type = AttributeType.Int64 };
        c.Attributes["title"] = new AttributeSchema { Type = AttributeType.String, FullText = new FullTextOptions { Stemming = true, RemoveStopwords = true } };
        c.Attributes["body"] = new AttributeSchema { Type = AttributeType.String, Filterable = false };
        return c;
    }

    private static readonly string[] Words = ["running fox", "sleeping dogs", "the quick runner", "lazy cats run", "quiet river"];

    private static Document Doc(ulong id, TestRandom rng, int generation)
    {
        var d = new Document { Id = new DocumentId { U64 = id } };
        var centre = (int)(id % 16);
        var v = new Vector();
        for (var x = 0; x < Dims; x++)
        {
            v.Values.Add((float)((x % 16 == centre ? 4 : 0) + (rng.NextDouble() * 2) - 1));
        }

        d.Vectors["emb"] = v;
        if (id % 3 != 0)
        {
            d.Vectors["unit"] = new Vector { Values = { (float)(id % 7), 1, generation, 0.5f } };
        }

        d.Attributes["cat"] = new AttributeValue { IntValue = (long)(id % 200) };
        d.Attributes["title"] = new AttributeValue { StringValue = $"{Words[id % (ulong)Words.Length]} {id} g{generation}" };
        d.Attributes["body"] = new AttributeValue { StringValue = new string((char)('a' + (int)(id % 26)), 200) };
        return d;
    }

    /// <summary>Builds, seals and stores a segment; returns its manifest entry and its plaintext (for the whole-read reference).</summary>
    private async Task<(ManifestSegment Entry, byte[] Plaintext)> StoreSegmentAsync(string segmentId, FoldResult fold)
    {
        var plaintext = SegmentBuilder.BuildToArray(new SegmentBuildRequest
        {
            SegmentId = segmentId,
            NamespaceId = Nsid,
            Schema = Schema(),
            Contents = fold,
            VectorIndexBuilder = new IvfSq8IndexBuilder(new IvfSq8Options { CalibrationQueries = 0 }),
        });
        var key = StoragePaths.Segment(Nsid, segmentId);
        var sealedBytes = SealedObjectWriter.Seal(plaintext, key, 1, 1, Dek, Moat.Indexer.SegmentStore.SegmentObjects.ChunkSize);
        await _local.PutAsync(key, sealedBytes, PutCondition.None, CancellationToken.None);
        return (new ManifestSegment { SegmentId = segmentId, ObjectPath = key, ByteSize = (ulong)sealedBytes.Length }, plaintext);
    }

    /// <summary>Two segments: an older one of <paramref name="rows"/> documents, and a newer one that rewrites some and deletes others.</summary>
    private async Task<List<(ManifestSegment Entry, byte[] Plaintext)>> TwoSegmentsAsync(int rows)
    {
        var rng = new TestRandom(7);
        var older = Enumerable.Range(1, rows).Select(i => new FoldedDocument(DocKey.FromU64((ulong)i), Doc((ulong)i, rng, 1), 1)).ToList();
        var newer = Enumerable.Range(1, rows).Where(i => i % 10 == 0).Select(i => new FoldedDocument(DocKey.FromU64((ulong)i), Doc((ulong)i, rng, 2), 2)).ToList();
        var tombs = Enumerable.Range(1, rows).Where(i => i % 10 == 5).Select(i => new Tombstone(DocKey.FromU64((ulong)i), 2)).ToList();
        return
        [
            await StoreSegmentAsync("00000000000000000001-aaaa", new FoldResult(older, [], 1, 1)),
            await StoreSegmentAsync("00000000000000000002-bbbb", new FoldResult(newer, tombs, 2, 2)),
        ];
    }

    private async Task<List<RangeSegment>> OpenAsync(IEnumerable<(ManifestSegment Entry, byte[] Plaintext)> segments)
    {
        var opened = new List<RangeSegment>();
        foreach (var (entry, _) in segments)
        {
            opened.Add(await RangeSegment.OpenAsync(_store, entry.ObjectPath, entry, Nsid, new FixedDataKeys(), TimeSpan.FromSeconds(10), CancellationToken.None));
        }

        return opened;
    }

    private static SearchSnapshot WholeReference(IEnumerable<(ManifestSegment Entry, byte[] Plaintext)> segments) =>
        new([.. segments.Select(s => SearchSegmentAdapter.FromReader(SegmentReader.Open(s.Plaintext)))]);

    private static List<SearchQuery> Queries()
    {
        var q = Enumerable.Range(0, Dims).Select(x => x % 16 == 3 ? 4f : 0f).ToArray();
        var fivePercent = new Predicate("cat", FilterOp.Lt, FieldValue.Int64(10));
        var halfPercent = new Predicate("cat", FilterOp.Eq, FieldValue.Int64(3));
        return
        [
            new SearchQuery { RankBy = new VectorRanking("emb", q), TopK = 10, Projection = Projection.IdsOnly },
            new SearchQuery { RankBy = new VectorRanking("emb", q), TopK = 10, Filter = fivePercent, Projection = Projection.IdsOnly },
            new SearchQuery { RankBy = new VectorRanking("emb", q), TopK = 10, Filter = halfPercent, Projection = Projection.IdsOnly },
            new SearchQuery { RankBy = new VectorRanking("emb", q), TopK = 25, Filter = new NotFilter(fivePercent) },
            new SearchQuery { RankBy = new VectorRanking("emb", q, Exact: true), TopK = 10, Filter = halfPercent, Projection = new Projection { IncludeVectors = ["emb"], IncludeAttributes = ["cat"] } },
            new SearchQuery { RankBy = new VectorRanking("unit", [1, 1, 2, 0.5f]), TopK = 30, Projection = new Projection { IncludeAllVectors = true } },
            new SearchQuery { RankBy = new TextRanking(new Bm25Expr("title", "runs")), TopK = 50, Projection = new Projection { IncludeAttributes = ["title"] } },
            new SearchQuery { RankBy = new OrderRanking("cat", Descending: true), TopK = 40, Filter = halfPercent },
            new SearchQuery { Filter = new Predicate("title", FilterOp.Glob, FieldValue.String("*fox*")), TopK = 100 },
            new SearchQuery { Aggregates = [AggregateSpec.Count("c"), AggregateSpec.Sum("s", "cat")], Filter = fivePercent },
        ];
    }

    [Fact]
    public async Task Every_query_answers_from_ranges_exactly_what_whole_segments_answer()
    {
        var segments = await TwoSegmentsAsync(3000);
        var reference = WholeReference(segments);
        foreach (var query in Queries())
        {
            // Cold each time: fresh range segments over the store.
            var ranged = await OpenAsync(segments);
            var engine = new SearchSnapshot([.. ranged.Select(r => r.Engine)]);
            Assert.Equal(reference.LiveCount, engine.LiveCount);
            var expected = reference.Search(query);
            Assert.True(expected.Hits.Count > 0 || expected.Aggregates.Count > 0, $"query {query} finds nothing");
            var actual = await RangeSearch.RunAsync(engine, ranged, query, new FixedDataKeys(), CancellationToken.None);
            SearchResultAssert.Same(expected, actual);

            // Warm: the same query again needs nothing more from the store.
            var fetched = _store.BytesRead;
            SearchResultAssert.Same(expected, await RangeSearch.RunAsync(engine, ranged, query, new FixedDataKeys(), CancellationToken.None));
            Assert.Equal(fetched, _store.BytesRead);
            ranged.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task Many_segments_are_brought_in_together_in_a_few_runs()
    {
        // Six segments of an indexer's making: each run of a query names what every segment lacks.
        var segments = new List<(ManifestSegment Entry, byte[] Plaintext)>();
        for (var g = 0; g < 6; g++)
        {
            var docs = Enumerable.Range((g * 2000) + 1, 2000).Select(i => new FoldedDocument(DocKey.FromU64((ulong)i), Doc((ulong)i, new TestRandom((ulong)i), 1), (ulong)g + 1)).ToList();
            segments.Add(await StoreSegmentAsync($"{g + 1:D20}-{g:x4}", new FoldResult(docs, [], (ulong)g + 1, (ulong)g + 1)));
        }

        var reference = WholeReference(segments);
        var q = Enumerable.Range(0, Dims).Select(x => x % 16 == 9 ? 4f : 0f).ToArray();
        foreach (var query in new[]
        {
            new SearchQuery { RankBy = new VectorRanking("emb", q), TopK = 10, Projection = new Projection { IncludeVectors = ["emb"], ExcludeAllAttributes = true } },
            new SearchQuery { RankBy = new VectorRanking("emb", q), TopK = 20, Filter = new Predicate("cat", FilterOp.Lt, FieldValue.Int64(10)), Projection = new Projection { IncludeAllVectors = true, IncludeAttributes = ["cat"] } },
        })
        {
            var ranged = await OpenAsync(segments);
            var engine = new SearchSnapshot([.. ranged.Select(r => r.Engine)]);
            var runs = 0;
            var actual = await RangeSearch.RunAsync(engine, ranged, query, new FixedDataKeys(), CancellationToken.None, n => runs = n);
            SearchResultAssert.Same(reference.Search(query), actual);
            Assert.InRange(runs, 2, 4);
            Assert.All(ranged, r => Assert.False(r.Contains(r.Reader.RawSection(SegmentSectionKind.Attribute, "body")), "an attribute the query does not read was brought in"));
            ranged.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task A_cold_vector_query_fetches_a_small_part_of_the_segment()
    {
        var (entry, plaintext) = await StoreSegmentAsync("00000000000000000001-cccc", new FoldResult(
            [.. Enumerable.Range(1, 20_000).Select(i => new FoldedDocument(DocKey.FromU64((ulong)i), Doc((ulong)i, new TestRandom((ulong)i), 1), 1))], [], 1, 1));
        var whole = WholeReference([(entry, plaintext)]);
        var q = Enumerable.Range(0, Dims).Select(x => x % 16 == 5 ? 4f : 0.1f).ToArray();
        var query = new SearchQuery { RankBy = new VectorRanking("emb", q), TopK = 10, Projection = Projection.IdsOnly };

        var ranged = await OpenAsync([(entry, plaintext)]);
        var engine = new SearchSnapshot([ranged[0].Engine]);
        var opened = _store.BytesRead;
        var result = await RangeSearch.RunAsync(engine, ranged, query, new FixedDataKeys(), CancellationToken.None);
        var sealedLength = (long)entry.ByteSize;
        Console.WriteLine($"cold vector query: open {opened} B, query {_store.BytesRead - opened} B, of {sealedLength} B sealed ({(double)_store.BytesRead / sealedLength:P1}) in {_store.Gets} GETs");
        Assert.Equal(whole.Search(query).Hits.Select(h => h.Id), result.Hits.Select(h => h.Id));
        Assert.True(_store.BytesRead < sealedLength / 8, $"fetched {_store.BytesRead} of {sealedLength} sealed bytes");
        Assert.True(ranged[0].ResidentBytes < plaintext.Length / 8, $"{ranged[0].ResidentBytes} of {plaintext.Length} plaintext bytes in memory");

        // A filter on one attribute reads that attribute's sections, not the vectors or the text.
        var before = _store.BytesRead;
        var count = await RangeSearch.RunAsync(engine, ranged, new SearchQuery { Aggregates = [AggregateSpec.Count("c")], Filter = new Predicate("cat", FilterOp.Eq, FieldValue.Int64(7)) }, new FixedDataKeys(), CancellationToken.None);
        Assert.Equal(ScalarValue.UInt64(100), count.Aggregates["c"]);
        var reader = SegmentReader.Open(plaintext);
        var body = reader.Directory.Find(SegmentSectionKind.Attribute, "body").Length;
        Assert.True(_store.BytesRead - before < body, $"a count over 'cat' fetched {_store.BytesRead - before} bytes; the unread 'body' section alone is {body}");
        ranged[0].Dispose();
    }

    [Fact]
    public async Task A_background_fill_brings_the_rest_in_with_the_readers_already_open()
    {
        var segments = await TwoSegmentsAsync(2000);
        var ranged = await OpenAsync(segments);
        var engine = new SearchSnapshot([.. ranged.Select(r => r.Engine)]);
        var query = Queries()[0];
        var expected = WholeReference(segments).Search(query);
        SearchResultAssert.Same(expected, await RangeSearch.RunAsync(engine, ranged, query, new FixedDataKeys(), CancellationToken.None));

        // The fill asks for no key (it would throw): it reuses the readers the opens made.
        foreach (var r in ranged)
        {
            Assert.True(await r.FillAsync(CancellationToken.None));
            Assert.Equal(r.Length, r.ResidentBytes);
        }

        var fetched = _store.BytesRead;
        foreach (var q in Queries())
        {
            await RangeSearch.RunAsync(engine, ranged, q, new FixedDataKeys(), CancellationToken.None);
        }

        Assert.Equal(fetched, _store.BytesRead);

        // A disposed (evicted) segment stops filling quietly.
        var again = await OpenAsync(segments);
        again[0].Dispose();
        Assert.False(await again[0].FillAsync(CancellationToken.None));
        again[1].Dispose();
        ranged.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task A_tampered_chunk_fails_the_query_that_needs_it_and_no_other()
    {
        var (entry, plaintext) = await StoreSegmentAsync("00000000000000000001-dddd", new FoldResult(
            [.. Enumerable.Range(1, 4000).Select(i => new FoldedDocument(DocKey.FromU64((ulong)i), Doc((ulong)i, new TestRandom((ulong)i), 1), 1))], [], 1, 1));
        var reader = SegmentReader.Open(plaintext);

        // Flip one byte of the stored chunk that holds the middle of the 'body' section.
        var body = reader.Directory.Find(SegmentSectionKind.Attribute, "body");
        var stored = (await _local.GetAsync(entry.ObjectPath, null, CancellationToken.None))!.Data.ToArray();
        var header = SealedObjectHeader.Parse(stored, entry.ObjectPath);
        var chunk = (body.Offset + (body.Length / 2)) / header.ChunkSize;
        stored[header.GetChunkOffset(chunk) + 10] ^= 0x40;
        await _local.PutAsync(entry.ObjectPath, stored, PutCondition.None, CancellationToken.None);

        var ranged = await OpenAsync([(entry, plaintext)]);
        var engine = new SearchSnapshot([ranged[0].Engine]);
        var q = Enumerable.Range(0, Dims).Select(x => x % 16 == 5 ? 4f : 0f).ToArray();
        var vectorOnly = await RangeSearch.RunAsync(engine, ranged, new SearchQuery { RankBy = new VectorRanking("emb", q), TopK = 10, Projection = Projection.IdsOnly }, new FixedDataKeys(), CancellationToken.None);
        Assert.Equal(10, vectorOnly.Hits.Count);
        var e = await Assert.ThrowsAsync<SealedObjectIntegrityException>(() =>
            RangeSearch.RunAsync(engine, ranged, new SearchQuery { TopK = 10, Projection = new Projection { IncludeAttributes = ["body"] } }, new FixedDataKeys(), CancellationToken.None));
        Assert.Contains(entry.ObjectPath, e.Message, StringComparison.Ordinal);
        Assert.False(ranged[0].Contains(reader.RawSection(SegmentSectionKind.Attribute, "body")));
        ranged[0].Dispose();
    }

    /// <summary>The namespace's one DEK (keyring 1, DEK 1).</summary>
    private sealed class FixedDataKeys : IDataKeySource
    {
        public ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken) =>
            ValueTask.FromResult<ReadOnlyMemory<byte>?>(keyringVersion == 1 && dekId == 1 ? Dek.ToArray() : null);
    }
}
