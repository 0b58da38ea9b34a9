using System.Buffers;
using Moat.Internal.V1;
using Moat.Search;
using Moat.Search.Text;
using Moat.Search.Vectors;
using Moat.Segments.Indexing;
using Moat.Segments.Segments;
using Moat.Testing;
using Moat.V1;
using Predicate = Moat.Search.Predicate;
using Projection = Moat.Search.Projection;

namespace Moat.Segments.Tests;

/// <summary>
/// Real segments (SegmentBuilder with the IVF-SQ8 index builder, SegmentReader) searched through
/// the adapter give the same answers as the engine given the same documents directly.
/// </summary>
public class SearchAdapterTests
{
    private const int Dims = 8;

    private static NamespaceConfig Schema()
    {
        var c = new NamespaceConfig { IdKind = IdKind.U64 };
        c.Vectors["emb"] = new Moat.V1.VectorColumn { Dimensions = Dims, ElementType = VectorElementType.F32, Metric = DistanceMetric.Euclidean };
        c.Vectors["half"] = new Moat.V1.VectorColumn { Dimensions = 2, ElementType = VectorElementType.F16, Metric = DistanceMetric.Cosine };
        c.Attributes["title"] = new AttributeSchema { Type = AttributeType.String, FullText = new FullTextOptions { Stemming = true, RemoveStopwords = true } };
        c.Attributes["tags"] = new AttributeSchema { Type = AttributeType.StringList };
        c.Attributes["n"] = new AttributeSchema { Type = AttributeType.Int64 };
        c.Attributes["quiet"] = new AttributeSchema { Type = AttributeType.Double, Filterable = false };
        return c;
    }

    private static readonly string[] Words = ["running fox", "sleeping dogs", "the quick runner", "lazy cats run", "quiet river"];

    private static Document Doc(ulong id, int i)
    {
        var rng = new SeededRandom(id * 31);
        var d = new Document { Id = new DocumentId { U64 = id } };
        var v = new Vector();
        for (var x = 0; x < Dims; x++)
        {
            v.Values.Add((float)(rng.NextGaussian() + (i % 5)));
        }

        d.Vectors["emb"] = v;
        if (i % 3 != 0)
        {
            d.Vectors["half"] = new Vector { Values = { i % 7, 1 } };
        }

        d.Attributes["title"] = new AttributeValue { StringValue = Words[i % Words.Length] + " " + i };
        d.Attributes["tags"] = new AttributeValue { StringList = new StringList { Values = { "t" + (i % 4), "all" } } };
        if (i % 5 != 0)
        {
            d.Attributes["n"] = new AttributeValue { IntValue = i % 11 };
        }

        d.Attributes["quiet"] = new AttributeValue { DoubleValue = i * 0.5 };
        d.Attributes["extra"] = new AttributeValue { UintValue = (ulong)i };
        return d;
    }

    private static WalEntry Entry(ulong seq, IEnumerable<WalOperation> ops) => TestData.Entry(seq, TestData.Write(null, [.. ops]));

    private static SegmentReader Store(FoldResult fold, string id, IVectorIndexBuilder? builder)
    {
        var bytes = SegmentBuilder.BuildToArray(new SegmentBuildRequest { SegmentId = id, NamespaceId = "ns", Schema = Schema(), Contents = fold, VectorIndexBuilder = builder });
        return SegmentReader.Open(bytes);
    }

    /// <summary>The same live documents, straight into the engine (one in-memory segment).</summary>
    private static SearchSnapshot Reference(IEnumerable<Document> docs)
    {
        var b = new SearchSegmentBuilder(DocIdKind.U64, "reference")
            .Vector("emb", Dims, VectorMetric.Euclidean)
            .Vector("half", 2, VectorMetric.Cosine, VectorElementKind.F16)
            .Attribute("title", new FieldType(ValueKind.String, false), fullText: new TextFieldOptions { Stemming = true, RemoveStopwords = true })
            .Attribute("quiet", new FieldType(ValueKind.Double, false), filterable: false);
        foreach (var d in docs)
        {
            var attrs = d.Attributes.ToDictionary(p => p.Key, p => (FieldValue?)Value(p.Value), StringComparer.Ordinal);
            var vecs = d.Vectors.ToDictionary(p => p.Key, p => p.Value.Values.ToArray(), StringComparer.Ordinal);
            b.Add(DocId.FromU64(d.Id.U64), attrs, vecs);
        }

        return new SearchSnapshot([b.Build()]);
    }

    private static FieldValue Value(AttributeValue v) => v.ValueCase switch
    {
        AttributeValue.ValueOneofCase.StringValue => FieldValue.String(v.StringValue),
        AttributeValue.ValueOneofCase.IntValue => FieldValue.Int64(v.IntValue),
        AttributeValue.ValueOneofCase.UintValue => FieldValue.UInt64(v.UintValue),
        AttributeValue.ValueOneofCase.DoubleValue => FieldValue.Double(v.DoubleValue),
        AttributeValue.ValueOneofCase.StringList => FieldValue.Strings([.. v.StringList.Values]),
        _ => throw new ArgumentException("type not used here", nameof(v)),
    };

    private static List<SearchQuery> Queries()
    {
        var q = Enumerable.Range(0, Dims).Select(x => (float)(x % 3)).ToArray();
        var red = new Predicate("tags", FilterOp.Contains, FieldValue.String("t1"));
        return
        [
            new SearchQuery { TopK = 1000 },
            new SearchQuery { RankBy = new VectorRanking("emb", q, Exact: true), TopK = 25 },
            new SearchQuery { RankBy = new VectorRanking("emb", q), TopK = 25, Ann = new AnnOptions { Strategy = AnnStrategy.Index, Probes = 1000 } },
            new SearchQuery { RankBy = new VectorRanking("emb", q), TopK = 10, Filter = red, Ann = new AnnOptions { Strategy = AnnStrategy.Index, Probes = 1000 } },
            new SearchQuery { RankBy = new VectorRanking("half", [1, 1]), TopK = 30 },
            new SearchQuery { RankBy = new TextRanking(new SumExpr([new Bm25Expr("title", "runs"), new WeightedExpr(2, new Bm25Expr("title", "dog"))])), TopK = 50 },
            new SearchQuery { RankBy = new OrderRanking("n", Descending: true), TopK = 40, Filter = new NotFilter(red) },
            new SearchQuery { RankBy = new OrderRanking("quiet"), TopK = 15, Filter = new Predicate("quiet", FilterOp.Gte, FieldValue.Int64(20)) },
            new SearchQuery { Filter = new Predicate("title", FilterOp.ContainsTokenSequence, FieldValue.String("quick runners")), TopK = 100 },
            new SearchQuery { Filter = new Predicate("n", FilterOp.Eq, null), TopK = 100, Projection = new Projection { IncludeAllVectors = true } },
            new SearchQuery { Aggregates = [AggregateSpec.Count("c"), AggregateSpec.Sum("s", "n"), AggregateSpec.Sum("q", "quiet")], GroupBy = ["extra"], TopK = 500 },
            new SearchQuery { Aggregates = [AggregateSpec.Count("c"), AggregateSpec.Sum("s", "extra")], Filter = new Predicate("title", FilterOp.Glob, FieldValue.String("*fox*")) },
        ];
    }

    [Fact]
    public void Stored_segments_and_the_wal_tail_search_like_the_engine_on_the_same_documents()
    {
        // Segment 1: docs 0..299. Segment 2: replaces 10..59, deletes 60..79, adds 300..349.
        // Tail (unindexed WAL): deletes 0..4, patches 100, adds 350..359.
        var first = WalFold.Fold([Entry(1, Enumerable.Range(0, 300).Select(i => TestData.Upsert(Doc((ulong)i, i))))]);
        var second = WalFold.Fold([Entry(2,
            Enumerable.Range(10, 50).Select(i => TestData.Upsert(Doc((ulong)i, i + 1000)))
                .Concat(Enumerable.Range(60, 20).Select(i => TestData.Delete(new DocumentId { U64 = (ulong)i })))
                .Concat(Enumerable.Range(300, 50).Select(i => TestData.Upsert(Doc((ulong)i, i)))))]);
        var s1 = Store(first, "s1", new IvfSq8IndexBuilder(new IvfSq8Options { Lists = 8 }));
        var s2 = Store(second, "s2", new IvfSq8IndexBuilder());
        var patched = Doc(100, 100);
        patched.Attributes["n"] = new AttributeValue { IntValue = 42 };
        var tail = WalFold.Fold(
            [Entry(3, Enumerable.Range(0, 5).Select(i => TestData.Delete(new DocumentId { U64 = (ulong)i }))
                .Append(TestData.Patch(new DocumentId { U64 = 100 }, "n", new AttributeValue { IntValue = 42 }))
                .Concat(Enumerable.Range(350, 10).Select(i => TestData.Upsert(Doc((ulong)i, i)))))],
            key => s2.Ids.Find(key) is var r2 and >= 0 ? new FoldedDocument(key, s2.ReadDocument(r2), 2) : s1.Ids.Find(key) is var r1 and >= 0 ? new FoldedDocument(key, s1.ReadDocument(r1), 1) : null);

        var adapted = new SearchSnapshot([SearchSegmentAdapter.FromReader(s1), SearchSegmentAdapter.FromReader(s2)], SearchSegmentAdapter.FromFold(tail, Schema()));
        Assert.IsType<IvfSq8Index>(adapted.Segments[0].Vectors["emb"].Index);
        Assert.Equal(8, ((IvfSq8Index)adapted.Segments[0].Vectors["emb"].Index!).Lists);
        Assert.Null(adapted.Segments[2].Vectors["emb"].Index);

        var live = new Dictionary<ulong, Document>();
        foreach (var i in Enumerable.Range(0, 300))
        {
            live[(ulong)i] = Doc((ulong)i, i);
        }

        foreach (var i in Enumerable.Range(10, 50))
        {
            live[(ulong)i] = Doc((ulong)i, i + 1000);
        }

        foreach (var i in Enumerable.Range(60, 20).Concat(Enumerable.Range(0, 5)))
        {
            live.Remove((ulong)i);
        }

        foreach (var i in Enumerable.Range(300, 60))
        {
            live[(ulong)i] = Doc((ulong)i, i);
        }

        live[100] = patched;
        var reference = Reference(live.Values);
        Assert.Equal(live.Count, adapted.LiveCount);
        foreach (var query in Queries())
        {
            var expected = reference.Search(query);
            Assert.True(expected.Hits.Count > 0 || expected.Aggregates.Count > 0 || expected.Groups.Count > 1, $"query {query} finds nothing");
            SearchResultAssert.Same(expected, adapted.Search(query));
        }
    }

    [Fact]
    public void Columns_view_the_segment_bytes_without_copying()
    {
        var fold = WalFold.Fold([Entry(1, Enumerable.Range(0, 50).Select(i => TestData.Upsert(Doc((ulong)i, i))))]);
        var bytes = SegmentBuilder.BuildToArray(new SegmentBuildRequest { SegmentId = "s", NamespaceId = "ns", Schema = Schema(), Contents = fold });
        var seg = SearchSegmentAdapter.FromReader(SegmentReader.Open(bytes));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(seg.Vectors["emb"].Data, out var segment));
        Assert.Same(bytes, segment.Array);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(seg.Attributes["n"].Column.Values.FixedData, out var values));
        Assert.Same(bytes, values.Array);
    }

    [Fact]
    public void An_unknown_index_kind_falls_back_to_exact_search()
    {
        var fold = WalFold.Fold([Entry(1, Enumerable.Range(0, 40).Select(i => TestData.Upsert(Doc((ulong)i, i))))]);
        var seg = SearchSegmentAdapter.FromReader(Store(fold, "s", new FutureIndexBuilder()));
        Assert.Null(seg.Vectors["emb"].Index);
        var r = new SearchSnapshot([seg]).Search(new SearchQuery { RankBy = new VectorRanking("emb", new float[Dims]), TopK = 3 });
        Assert.Equal(3, r.Hits.Count);
        Assert.Equal(1, r.Stats.ExactSegments);
    }

    [Fact]
    public void A_malformed_index_of_a_known_kind_is_a_format_error()
    {
        var fold = WalFold.Fold([Entry(1, Enumerable.Range(0, 40).Select(i => TestData.Upsert(Doc((ulong)i, i))))]);
        Assert.Throws<SegmentFormatException>(() => SearchSegmentAdapter.FromReader(Store(fold, "s", new TruncatedIvfBuilder())));
    }

    [Fact]
    public void A_version_1_ivf_index_still_loads_and_version_2_keeps_its_calibrated_probes()
    {
        var fold = WalFold.Fold([Entry(1, Enumerable.Range(0, 300).Select(i => TestData.Upsert(Doc((ulong)i, i))))]);
        var current = (IvfSq8Index)SearchSegmentAdapter.FromReader(Store(fold, "s2", new IvfSq8IndexBuilder())).Vectors["emb"].Index!;
        Assert.True(current.Calibrated);
        var seg = SearchSegmentAdapter.FromReader(Store(fold, "s1", new Version1IvfBuilder()));
        var old = Assert.IsType<IvfSq8Index>(seg.Vectors["emb"].Index);
        Assert.False(old.Calibrated);
        Assert.Equal(Math.Min(old.Lists, Math.Max(8, (int)Math.Ceiling(old.Lists / 12.0))), old.DefaultProbes);
        var q = Enumerable.Range(0, Dims).Select(x => (float)(x % 3)).ToArray();
        var ann = new SearchSnapshot([seg]).Search(new SearchQuery { RankBy = new VectorRanking("emb", q), TopK = 10, Ann = new AnnOptions { Strategy = AnnStrategy.Index } });
        var exact = new SearchSnapshot([seg]).Search(new SearchQuery { RankBy = new VectorRanking("emb", q, Exact: true), TopK = 10 });
        Assert.Equal(1, ann.Stats.IndexedSegments);
        Assert.Equal(10, ann.Hits.Count);

        // Exact distances, each no better than the true neighbour of its rank.
        for (var i = 0; i < 10; i++)
        {
            Assert.True(ann.Hits[i].Score >= exact.Hits[i].Score - 1e-4);
        }
    }

    /// <summary>Writes what version 1 wrote: the same layout with zeros where version 2 keeps the probes.</summary>
    private sealed class Version1IvfBuilder : IVectorIndexBuilder
    {
        public string Kind => IvfSq8Index.KindName;

        public uint Version => 1;

        public void Build(string column, Moat.V1.VectorColumn config, VectorColumnData vectors, IBufferWriter<byte> output)
        {
            var full = new ArrayBufferWriter<byte>();
            new IvfSq8IndexBuilder().Build(column, config, vectors, full);
            var bytes = full.WrittenSpan.ToArray();
            bytes.AsSpan(16, 8).Clear();
            output.Write(bytes);
        }
    }

    private sealed class FutureIndexBuilder : IVectorIndexBuilder
    {
        public string Kind => "hnsw-future";

        public uint Version => 7;

        public void Build(string column, Moat.V1.VectorColumn config, VectorColumnData vectors, IBufferWriter<byte> output) => output.Write(new byte[] { 1, 2, 3 });
    }

    private sealed class TruncatedIvfBuilder : IVectorIndexBuilder
    {
        public string Kind => IvfSq8Index.KindName;

        public uint Version => IvfSq8Index.FormatVersion;

        public void Build(string column, Moat.V1.VectorColumn config, VectorColumnData vectors, IBufferWriter<byte> output)
        {
            var full = new ArrayBufferWriter<byte>();
            new IvfSq8IndexBuilder().Build(column, config, vectors, full);
            output.Write(full.WrittenSpan[..(full.WrittenCount / 2)]);
        }
    }
}
