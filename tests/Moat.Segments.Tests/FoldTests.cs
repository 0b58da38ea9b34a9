using Moat.Segments.Indexing;
using Moat.Segments.Segments;
using Moat.V1;

namespace Moat.Segments.Tests;

public class FoldTests
{
    private static Document Doc(ulong id, long n, string? s = null)
    {
        var d = new Document { Id = new DocumentId { U64 = id } };
        d.Attributes["n"] = new AttributeValue { IntValue = n };
        if (s is not null)
        {
            d.Attributes["s"] = new AttributeValue { StringValue = s };
        }

        return d;
    }

    private static DocumentId Id(ulong id) => new() { U64 = id };

    [Fact]
    public void Upsert_replaces_patch_merges_delete_removes_in_sequence_order()
    {
        var entries = new[]
        {
            // Given out of order on purpose: the fold sorts by sequence.
            TestData.Entry(3, TestData.Write(null, TestData.Patch(Id(1), "s", new AttributeValue { StringValue = "patched" }), TestData.Patch(Id(9), "s", new AttributeValue { StringValue = "ghost" }))),
            TestData.Entry(1, TestData.Write("a", TestData.Upsert(Doc(1, 1, "one")), TestData.Upsert(Doc(2, 2)), TestData.Upsert(Doc(3, 3)))),
            TestData.Entry(2, TestData.Write("b", TestData.Upsert(Doc(1, 10)), TestData.Delete(Id(2)))),
            TestData.Entry(4, TestData.Write(null, TestData.Patch(Id(3), "n", null), TestData.Patch(Id(2), "n", new AttributeValue { IntValue = 5 }))),
        };

        var r = WalFold.Fold(entries);

        Assert.Equal(1UL, r.MinSequence);
        Assert.Equal(4UL, r.MaxSequence);
        Assert.Equal([1UL, 3UL], r.Documents.Select(d => d.Document.Id.U64));
        var one = r.Documents[0];
        Assert.Equal(3UL, one.Sequence);
        Assert.Equal(10, one.Document.Attributes["n"].IntValue);        // upsert at 2 replaced "one"
        Assert.Equal("patched", one.Document.Attributes["s"].StringValue);
        Assert.Empty(r.Documents[1].Document.Attributes);                 // null patch removed n
        Assert.Equal(4UL, r.Documents[1].Sequence);
        Assert.Equal([new Tombstone(DocKey.FromU64(2), 2)], r.Tombstones); // patch of deleted id skipped
        Assert.Equal([new IdempotencyRecord("a", 1), new IdempotencyRecord("b", 2)], r.IdempotencyKeys);
    }

    [Fact]
    public void A_repeated_idempotency_key_is_applied_once()
    {
        var r = WalFold.Fold([
            TestData.Entry(1, TestData.Write("k", TestData.Upsert(Doc(1, 1)))),
            TestData.Entry(2, TestData.Write(null, TestData.Upsert(Doc(1, 2)))),
            TestData.Entry(3, TestData.Write("k", TestData.Upsert(Doc(1, 1)))),
        ]);
        Assert.Equal(2, r.Documents.Single().Document.Attributes["n"].IntValue);
        Assert.Equal(1, r.SkippedDuplicateWrites);
        Assert.Equal([new IdempotencyRecord("k", 1)], r.IdempotencyKeys);
    }

    [Fact]
    public void Rejects_non_increasing_sequences()
    {
        var fold = new WalFold();
        fold.Apply(TestData.Entry(5));
        Assert.Throws<ArgumentException>(() => fold.Apply(TestData.Entry(5)));
        Assert.Throws<ArgumentException>(() => fold.Apply(TestData.Entry(4)));
    }

    [Fact]
    public void Base_lookup_patches_older_documents_and_limits_tombstones()
    {
        var older = new Dictionary<DocKey, FoldedDocument> { [DocKey.FromU64(7)] = new(DocKey.FromU64(7), Doc(7, 70, "old"), 1) };
        var r = WalFold.Fold(
            [TestData.Entry(5, TestData.Write(null,
                TestData.Patch(Id(7), "n", new AttributeValue { IntValue = 71 }),
                TestData.Upsert(Doc(8, 8)), TestData.Delete(Id(8)),  // never existed before: no tombstone
                TestData.Delete(Id(6))))],                           // not in older segments either
            k => older.GetValueOrDefault(k));
        var seven = r.Documents.Single();
        Assert.Equal(71, seven.Document.Attributes["n"].IntValue);
        Assert.Equal("old", seven.Document.Attributes["s"].StringValue);
        Assert.Empty(r.Tombstones);

        var r2 = WalFold.Fold([TestData.Entry(6, TestData.Write(null, TestData.Delete(Id(7))))], k => older.GetValueOrDefault(k));
        Assert.Equal([new Tombstone(DocKey.FromU64(7), 6)], r2.Tombstones);
    }

    [Fact]
    public void Uuid_ids_fold_case_insensitively_and_return_lower_case()
    {
        var upper = "A0B1C2D3-0000-4000-8000-00000000000F";
        var d = new Document { Id = new DocumentId { Uuid = upper } };
        var r = WalFold.Fold([
            TestData.Entry(1, TestData.Write(null, TestData.Upsert(d))),
            TestData.Entry(2, TestData.Write(null, TestData.Patch(new DocumentId { Uuid = upper.ToLowerInvariant() }, "x", new AttributeValue { BoolValue = true }))),
        ]);
        Assert.Equal(upper.ToLowerInvariant(), r.Documents.Single().Document.Id.Uuid);
        Assert.True(r.Documents.Single().Document.Attributes["x"].BoolValue);
    }

    [Fact]
    public void Merge_newer_wins_and_honours_deletes()
    {
        var a = WalFold.Fold([TestData.Entry(1, TestData.Write(null, TestData.Upsert(Doc(1, 1)), TestData.Upsert(Doc(2, 2)), TestData.Upsert(Doc(3, 3))))]);
        var b = WalFold.Fold([TestData.Entry(2, TestData.Write(null, TestData.Upsert(Doc(1, 10)), TestData.Delete(Id(2)), TestData.Delete(Id(4))))]);
        var c = WalFold.Fold([TestData.Entry(3, TestData.Write(null, TestData.Upsert(Doc(4, 40))))]);

        SegmentReader Seg(FoldResult f) => SegmentReader.Open(SegmentBuilder.BuildToArray(new SegmentBuildRequest { SegmentId = "s", NamespaceId = "ns", Schema = new NamespaceConfig(), Contents = f }));

        var kept = SegmentMerge.Merge([Seg(a), Seg(b), Seg(c)], dropTombstones: false);
        Assert.Equal([1UL, 3UL, 4UL], kept.Documents.Select(d => d.Key.Lo));
        Assert.Equal(10, kept.Documents[0].Document.Attributes["n"].IntValue);
        Assert.Equal([new Tombstone(DocKey.FromU64(2), 2)], kept.Tombstones);
        Assert.Equal((1UL, 3UL), (kept.MinSequence, kept.MaxSequence));

        var dropped = SegmentMerge.Merge([a, b, c], dropTombstones: true);
        Assert.Empty(dropped.Tombstones);
        Assert.Equal(3, dropped.Documents.Count);

        // Order of inputs does not matter when sequences differ.
        var reversed = SegmentMerge.Merge([c, b, a], dropTombstones: false);
        Assert.Equal(kept.Documents.Select(d => d.Document), reversed.Documents.Select(d => d.Document));
    }
}
