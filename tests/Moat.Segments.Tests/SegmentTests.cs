using System.Buffers;
using System.Text;
using Moat.Internal.V1;
using Moat.Segments.Indexing;
using Moat.Segments.Segments;
using Moat.V1;

namespace Moat.Segments.Tests;

public class SegmentTests
{
    private static (byte[] Bytes, List<Document> Docs) Build(IdKind kind, int count, IVectorIndexBuilder? vib = null)
    {
        var docs = Enumerable.Range(0, count).Select(i => TestData.Full(kind, i)).ToList();
        var entry = TestData.Entry(10, TestData.Write("k", docs.Select(TestData.Upsert).ToArray()));
        var fold = WalFold.Fold([entry, TestData.Entry(11, TestData.Write(null, TestData.Delete(TestData.Id(kind, 999))))]);
        var bytes = SegmentBuilder.BuildToArray(new SegmentBuildRequest
        {
            SegmentId = "seg-1",
            NamespaceId = "ns1",
            Schema = TestData.Schema(kind),
            SchemaVersion = 3,
            Contents = fold,
            VectorIndexBuilder = vib,
        });
        return (bytes, fold.Documents.Select(d => d.Document).ToList());
    }

    private static Document Expected(Document d)
    {
        // f16 columns come back as f16 bytes; empty lists stay present.
        var e = d.Clone();
        var small = e.Vectors["small"];
        e.Vectors["small"] = new Vector { F16 = TestData.F16([.. small.Values]) };
        return e;
    }

    [Theory]
    [InlineData(IdKind.U64)]
    [InlineData(IdKind.Uuid)]
    [InlineData(IdKind.String)]
    public void Round_trips_every_attribute_type_and_id_kind(IdKind kind)
    {
        var (bytes, docs) = Build(kind, 9);
        var reader = SegmentReader.Open(bytes);

        Assert.Equal("seg-1", reader.Header.SegmentId);
        Assert.Equal(10UL, reader.Header.MinSequence);
        Assert.Equal(11UL, reader.Header.MaxSequence);
        Assert.Equal(9, reader.RowCount);
        Assert.Equal(kind, reader.Header.IdKind);
        Assert.Equal(3UL, reader.Header.SchemaVersion);
        Assert.Equal(AttributeType.Uint64, reader.Schema.Attributes["u"].Type);
        Assert.Equal(AttributeType.DatetimeList, reader.Schema.Attributes["times"].Type);

        for (var row = 0; row < reader.RowCount; row++)
        {
            Assert.Equal(Expected(docs[row]), reader.ReadDocument(row));
            Assert.Equal(10UL, reader.RowSequences[row]);
            Assert.Equal(row, reader.Ids.Find(DocKey.From(docs[row].Id)));
        }

        Assert.Equal(1, reader.Tombstones.Count);
        Assert.Equal(TestData.Id(kind, 999), reader.Tombstones.Ids.GetId(0));
        Assert.Equal(11UL, reader.Tombstones.Sequences[0]);
        Assert.Equal(-1, reader.Ids.Find(DocKey.From(TestData.Id(kind, 999))));
    }

    [Fact]
    public void Rows_are_sorted_by_id_in_utf8_order()
    {
        var (bytes, _) = Build(IdKind.String, 12);
        var ids = SegmentReader.Open(bytes).Ids;
        for (var i = 1; i < ids.Count; i++)
        {
            Assert.True(ids.Values.Utf8(i - 1).SequenceCompareTo(ids.Values.Utf8(i)) < 0);
        }
    }

    [Fact]
    public void Each_section_parses_from_its_own_byte_range()
    {
        var (bytes, docs) = Build(IdKind.U64, 6);

        // What a ranged reader does: 16 bytes, then the head, then one section at a time.
        var headLength = SegmentLayout.HeadLength(bytes.AsSpan(0, SegmentLayout.PrefixLength));
        var dir = SegmentDirectory.Parse(bytes.AsSpan(0, (int)headLength));
        Assert.Equal(headLength, dir.DataStart);
        byte[] Range(SectionRange r) => bytes.AsSpan((int)r.Offset, (int)r.Length).ToArray();

        foreach (var s in dir.Sections)
        {
            Assert.Equal(0, s.Offset % 8);
        }

        var ids = IdColumn.Parse(Range(dir.Find(SegmentSectionKind.Ids)));
        Assert.Equal(docs.Select(d => d.Id.U64), ids.Values.UInt64s.ToArray());

        var emb = VectorColumnData.Parse(Range(dir.Find(SegmentSectionKind.Vectors, "emb")));
        Assert.Equal(3, emb.Dimensions);
        Assert.Equal(docs.SelectMany(d => d.Vectors["emb"].Values), emb.F32.ToArray());

        var small = VectorColumnData.Parse(Range(dir.Find(SegmentSectionKind.Vectors, "small")));
        Assert.Equal(VectorElementType.F16, small.ElementType);
        var row = new float[2];
        small.CopyRow(4, row);
        Assert.Equal([1f, 1.5f], row);

        var n = AttributeColumnData.Parse(Range(dir.Find(SegmentSectionKind.Attribute, "n")));
        Assert.Equal(docs.Select(d => d.Attributes["n"].IntValue), n.Values.Int64s.ToArray());

        var ints = AttributeColumnData.Parse(Range(dir.Find(SegmentSectionKind.Attribute, "ints")));
        Assert.True(ints.IsPresent(0));
        Assert.False(ints.IsPresent(1));
        Assert.Equal((3, 0), ints.ElementRange(1));
        Assert.Equal((3, 3), ints.ElementRange(2));

        var nIndex = FilterIndexData.Parse(Range(dir.Find(SegmentSectionKind.FilterIndex, "n")));
        Assert.Equal([-2L, -1L, 0L, 1L], nIndex.Values.Int64s.ToArray());
        var at = nIndex.LowerBound(new AttributeValue { IntValue = 0 }, out var found);
        Assert.True(found);
        Assert.Equal([2u], nIndex.Rows(at).ToArray());
        Assert.Equal(nIndex.DistinctCount, nIndex.LowerBound(new AttributeValue { IntValue = 5 }, out found));
        Assert.False(found);

        Assert.False(dir.TryFind(SegmentSectionKind.FilterIndex, "note", out _));
        var tags = FilterIndexData.Parse(Range(dir.Find(SegmentSectionKind.FilterIndex, "tags")));
        Assert.Equal(["Red", "t0", "t1", "t2"], Enumerable.Range(0, tags.DistinctCount).Select(tags.Values.GetString));
        Assert.Equal([0u, 1u, 2u, 3u, 4u, 5u], tags.Rows(0).ToArray());

        var vi = dir.Find(SegmentSectionKind.VectorIndex, "emb");
        Assert.Equal("none", vi.IndexKind);
        Assert.Equal(0, vi.Length);

        var tombs = TombstoneList.Parse(Range(dir.Find(SegmentSectionKind.Tombstones)));
        Assert.Equal(1, tombs.Count);
    }

    [Fact]
    public void Inverted_index_has_positions_frequencies_and_lengths()
    {
        var schema = new NamespaceConfig { IdKind = IdKind.U64 };
        schema.Attributes["body"] = new AttributeSchema { Type = AttributeType.String, FullText = new FullTextOptions() };
        schema.Attributes["parts"] = new AttributeSchema { Type = AttributeType.StringList, FullText = new FullTextOptions() };
        Document Doc(ulong id, string body, params string[] parts)
        {
            var d = new Document { Id = new DocumentId { U64 = id } };
            d.Attributes["body"] = new AttributeValue { StringValue = body };
            d.Attributes["parts"] = new AttributeValue { StringList = new StringList { Values = { parts } } };
            return d;
        }

        var fold = WalFold.Fold([TestData.Entry(1, TestData.Write(null,
            TestData.Upsert(Doc(1, "The cat sat on the mat. THE END!", "big cat", "small dog")),
            TestData.Upsert(Doc(2, "Über-Straße: the Café", "cat")),
            TestData.Upsert(new Document { Id = new DocumentId { U64 = 3 } })))]);
        var reader = SegmentReader.Open(SegmentBuilder.BuildToArray(new SegmentBuildRequest { SegmentId = "s", NamespaceId = "ns", Schema = schema, Contents = fold }));

        var body = reader.FullText("body")!;
        Assert.Equal([8u, 4u, 0u], body.DocumentLengths.ToArray());
        Assert.Equal(12UL, body.TotalTokens);
        Assert.Equal(4.0, body.AverageDocumentLength);

        var the = body.FindTerm("the");
        Assert.Equal([0u, 1u], body.PostingRows(the).ToArray());
        Assert.Equal([3u, 1u], body.PostingFrequencies(the).ToArray());
        Assert.Equal([0u, 4u, 6u], body.Positions(the, 0).ToArray());
        Assert.Equal([2u], body.Positions(the, 1).ToArray());
        Assert.Equal([1u], body.Positions(body.FindTerm("cat"), 0).ToArray());
        Assert.Equal([0u], body.Positions(body.FindTerm("über"), 0).ToArray());
        Assert.Equal([1u], body.Positions(body.FindTerm("straße"), 0).ToArray());
        Assert.Equal([3u], body.Positions(body.FindTerm("café"), 0).ToArray());
        Assert.Equal(-1, body.FindTerm("The"));
        Assert.Equal(-1, body.FindTerm("dog"));

        // Terms sorted by UTF-8 bytes.
        for (var i = 1; i < body.TermCount; i++)
        {
            Assert.True(body.Terms.Utf8(i - 1).SequenceCompareTo(body.Terms.Utf8(i)) < 0);
        }

        // List elements: "big cat" = 0,1; gap; "small dog" = 3,4.
        var parts = reader.FullText("parts")!;
        Assert.Equal([4u, 1u, 0u], parts.DocumentLengths.ToArray());
        Assert.Equal([4u], parts.Positions(parts.FindTerm("dog"), 0).ToArray());
        Assert.Equal([0u, 1u], parts.PostingRows(parts.FindTerm("cat")).ToArray());
        Assert.Equal([1u], parts.Positions(parts.FindTerm("cat"), 0).ToArray());
        Assert.Equal([0u], parts.Positions(parts.FindTerm("cat"), 1).ToArray());
    }

    [Fact]
    public void Vector_index_slot_carries_the_hook_output_and_its_tag()
    {
        var (bytes, _) = Build(IdKind.U64, 4, new FakeIndex());
        var reader = SegmentReader.Open(bytes);
        var blob = reader.VectorIndex("emb");
        Assert.Equal("fake", blob.Kind);
        Assert.Equal(7u, blob.Version);
        Assert.Equal("emb:4", Encoding.UTF8.GetString(blob.Bytes.Span));
    }

    [Fact]
    public void Rejects_a_future_segment_version_and_schema_mismatches()
    {
        var (bytes, _) = Build(IdKind.U64, 2);
        var e = Assert.Throws<FormatVersionException>(() => SegmentReader.Open(TestData.WithVersion(bytes, 2)));
        Assert.Contains("segment format version 2", e.Message, StringComparison.Ordinal);

        var d = TestData.Full(IdKind.U64, 1);
        d.Attributes["n"] = new AttributeValue { StringValue = "not a number" };
        var fold = WalFold.Fold([TestData.Entry(1, TestData.Write(null, TestData.Upsert(d)))]);
        var ex = Assert.Throws<SegmentFormatException>(() => SegmentBuilder.BuildToArray(new SegmentBuildRequest { SegmentId = "s", NamespaceId = "ns", Schema = TestData.Schema(IdKind.U64), Contents = fold }));
        Assert.Contains("'n'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Builds_to_a_stream_and_an_empty_segment_reads_back()
    {
        var stream = new MemoryStream();
        var header = await SegmentBuilder.BuildAsync(new SegmentBuildRequest { SegmentId = "e", NamespaceId = "ns", Schema = TestData.Schema(IdKind.Uuid), Contents = new FoldResult([], [], 0, 0) }, stream);
        var reader = SegmentReader.Open(stream.ToArray());
        Assert.Equal(header, reader.Header);
        Assert.Equal(0, reader.RowCount);
        Assert.Equal(0, reader.Ids.Count);
        Assert.Equal(0, reader.Attribute("n").RowCount);
        Assert.Equal(0, reader.FullText("title")!.TermCount);
        Assert.Equal(0, reader.FilterIndex("n")!.DistinctCount);
    }

    private sealed class FakeIndex : IVectorIndexBuilder
    {
        public string Kind => "fake";

        public uint Version => 7;

        public void Build(string column, VectorColumn config, VectorColumnData vectors, IBufferWriter<byte> output) =>
            output.Write(Encoding.UTF8.GetBytes($"{column}:{vectors.RowCount}"));
    }
}
