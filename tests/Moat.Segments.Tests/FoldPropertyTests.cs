using CsCheck;
using Moat.Internal.V1;
using Moat.Segments.Indexing;
using Moat.Segments.Segments;
using Moat.Segments.Wal;
using Moat.V1;

namespace Moat.Segments.Tests;

public class FoldPropertyTests
{
    // (kind 0 = upsert, 1 = patch, 2 = delete, id, number or null, tag or -1, vector seed)
    private sealed record Op(int Kind, int Id, long? Number, int Tag, int Seed);

    private static readonly Gen<Op> GenOp =
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 7], Gen.Long[-4, 3], Gen.Int[-1, 3], Gen.Int[-50, 50])
            .Select((k, id, n, tag, seed) => new Op(k, id, n == -4 ? null : n, tag, seed));

    private static readonly Gen<Op[][]> GenEntries = GenOp.Array[0, 5].Array[1, 8];

    private static readonly string[] Tags = ["alpha beta", "beta", "Gamma delta", "ALPHA"];

    private static NamespaceConfig Schema()
    {
        var c = new NamespaceConfig { IdKind = IdKind.U64 };
        c.Vectors["v"] = new VectorColumn { Dimensions = 2, ElementType = VectorElementType.F16 };
        c.Attributes["tag"] = new AttributeSchema { Type = AttributeType.String, FullText = new FullTextOptions() };
        return c;
    }

    private static List<WalEntry> ToEntries(Op[][] batches)
    {
        var entries = new List<WalEntry>();
        for (var b = 0; b < batches.Length; b++)
        {
            var write = new WalWrite { IdempotencyKey = "w" + b };
            foreach (var op in batches[b])
            {
                var id = new DocumentId { U64 = (ulong)op.Id };
                switch (op.Kind)
                {
                    case 0:
                        var d = new Document { Id = id };
                        d.Vectors["v"] = new Vector { Values = { op.Seed / 4f, -op.Seed / 8f } };
                        if (op.Number is { } n)
                        {
                            d.Attributes["n"] = new AttributeValue { IntValue = n };
                        }

                        if (op.Tag >= 0)
                        {
                            d.Attributes["tag"] = new AttributeValue { StringValue = Tags[op.Tag] };
                        }

                        write.Operations.Add(TestData.Upsert(d));
                        break;
                    case 1:
                        write.Operations.Add(op.Tag >= 0
                            ? TestData.Patch(id, "tag", new AttributeValue { StringValue = Tags[op.Tag] })
                            : TestData.Patch(id, "n", op.Number is { } m ? new AttributeValue { IntValue = m } : null));
                        break;
                    default:
                        write.Operations.Add(TestData.Delete(id));
                        break;
                }
            }

            // Through the WAL codec, as the indexer would read it.
            entries.Add(WalEntryCodec.Decode(WalEntryCodec.Encode(TestData.Entry((ulong)(b + 1) * 3, write))));
        }

        return entries;
    }

    /// <summary>The naive model: a dictionary updated op by op.</summary>
    private static SortedDictionary<ulong, Document> Reference(Op[][] batches)
    {
        var model = new SortedDictionary<ulong, Document>();
        foreach (var op in batches.SelectMany(b => b))
        {
            var key = (ulong)op.Id;
            switch (op.Kind)
            {
                case 0:
                    var d = new Document { Id = new DocumentId { U64 = key } };
                    d.Vectors["v"] = new Vector { F16 = TestData.F16(op.Seed / 4f, -op.Seed / 8f) };
                    if (op.Number is { } n)
                    {
                        d.Attributes["n"] = new AttributeValue { IntValue = n };
                    }

                    if (op.Tag >= 0)
                    {
                        d.Attributes["tag"] = new AttributeValue { StringValue = Tags[op.Tag] };
                    }

                    model[key] = d;
                    break;
                case 1 when model.TryGetValue(key, out var cur):
                    if (op.Tag >= 0)
                    {
                        cur.Attributes["tag"] = new AttributeValue { StringValue = Tags[op.Tag] };
                    }
                    else if (op.Number is { } m)
                    {
                        cur.Attributes["n"] = new AttributeValue { IntValue = m };
                    }
                    else
                    {
                        cur.Attributes.Remove("n");
                    }

                    break;
                case 2:
                    model.Remove(key);
                    break;
            }
        }

        return model;
    }

    private static SegmentReader Build(FoldResult f) => SegmentReader.Open(SegmentBuilder.BuildToArray(new SegmentBuildRequest
    {
        SegmentId = "p",
        NamespaceId = "ns1",
        Schema = Schema(),
        Contents = f,
    }));

    private static List<Document> ReadDocs(SegmentReader r) => Enumerable.Range(0, r.RowCount).Select(r.ReadDocument).ToList();

    [Fact]
    public void Fold_then_segment_round_trip_equals_the_reference_model()
    {
        GenEntries.Sample(batches =>
        {
            var expected = Reference(batches).Values.ToList();
            var reader = Build(WalFold.Fold(ToEntries(batches)));
            Assert.Equal(expected, ReadDocs(reader));

            // The full-text index agrees with the stored column.
            var ft = reader.FullText("tag")!;
            var col = reader.Attribute("tag");
            for (var row = 0; row < reader.RowCount; row++)
            {
                var words = col.GetValue(row)?.StringValue.Split(' ').Length ?? 0;
                Assert.Equal((uint)words, ft.DocumentLengths[row]);
            }
        }, iter: 300);
    }

    [Fact]
    public void Folding_in_two_segments_then_merging_equals_one_fold()
    {
        Gen.Select(GenEntries, Gen.Int[0, 8]).Sample((batches, cut) =>
        {
            cut = Math.Min(cut, batches.Length);
            var entries = ToEntries(batches);
            var older = Build(WalFold.Fold(entries.Take(cut)));
            FoldedDocument? Lookup(DocKey k)
            {
                var row = older.Ids.Find(k);
                return row < 0 ? null : new FoldedDocument(k, older.ReadDocument(row), older.RowSequences[row]);
            }

            var newer = Build(WalFold.Fold(entries.Skip(cut), Lookup));
            var merged = Build(SegmentMerge.Merge([older, newer], dropTombstones: true));
            Assert.Equal(Reference(batches).Values.ToList(), ReadDocs(merged));
        }, iter: 200);
    }
}
