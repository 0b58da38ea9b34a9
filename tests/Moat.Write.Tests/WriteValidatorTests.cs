using Microsoft.Extensions.Options;
using Moat.Hosting.Errors;
using Moat.V1;
using Moat.Write.Writes;

namespace Moat.Write.Tests;

public class WriteValidatorTests
{
    private static readonly WriteValidator Validator = new(Options.Create(new WriteLimitsOptions { MaxOperations = 10, MaxRequestBytes = 64 * 1024, MaxAttributeValueBytes = 64 }));

    private static NamespaceConfig Config(IdKind kind = IdKind.U64)
    {
        var config = new NamespaceConfig { IdKind = kind };
        config.Vectors["emb"] = new VectorColumn { Dimensions = 2, Metric = DistanceMetric.Euclidean, ElementType = VectorElementType.F32 };
        config.Attributes["n"] = new AttributeSchema { Type = AttributeType.Int64 };
        return config;
    }

    private static Document Doc(DocumentId id, params float[] vector)
    {
        var document = new Document { Id = id };
        document.Vectors["emb"] = new Vector { Values = { vector.Length == 0 ? [1f, 2f] : vector } };
        return document;
    }

    private static MoatValidationException Refused(WriteRequest request, NamespaceConfig? config = null) =>
        Assert.Throws<MoatValidationException>(() => Validator.Validate(request, config ?? Config(), emptyAllowed: false));

    [Fact]
    public void A_valid_write_becomes_operations_in_application_order_with_counts_and_affected_ids()
    {
        var request = new WriteRequest { ReturnAffectedIds = true };
        request.Upserts.Add(Doc(new DocumentId { U64 = 1 }));
        request.Patches.Add(new Document { Id = new DocumentId { U64 = 2 }, Attributes = { ["n"] = new AttributeValue { IntValue = 3 } } });
        request.Deletes.Add(new DocumentId { U64 = 3 });
        var validated = Validator.Validate(request, Config(), emptyAllowed: false);
        Assert.Equal(["upsert", "patch", "delete"], validated.Operations.Select(o => o.OpCase.ToString().ToLowerInvariant()));
        Assert.Equal((1ul, 1ul, 1ul), (validated.Response.RowsUpserted, validated.Response.RowsPatched, validated.Response.RowsDeleted));
        Assert.Equal([3ul], validated.Response.AffectedIds.Deleted.Select(i => i.U64));
        Assert.False(validated.AddsSchema);
    }

    [Fact]
    public void Uuid_ids_are_normalized_and_duplicates_found_case_insensitively()
    {
        var id = Guid.NewGuid();
        var request = new WriteRequest();
        request.Upserts.Add(Doc(new DocumentId { Uuid = id.ToString().ToUpperInvariant() }));
        var validated = Validator.Validate(request, Config(IdKind.Uuid), emptyAllowed: false);
        Assert.Equal(id.ToString(), validated.Operations[0].Upsert.Id.Uuid);

        request.Deletes.Add(new DocumentId { Uuid = id.ToString() });
        Assert.Equal("deletes[0]", Refused(request, Config(IdKind.Uuid)).Violations.Single().Field);
    }

    [Fact]
    public void A_namespace_without_an_id_kind_takes_the_first_ids_and_holds_the_rest_to_it()
    {
        var request = new WriteRequest();
        request.Upserts.Add(Doc(new DocumentId { Text = "a" }));
        request.Upserts.Add(Doc(new DocumentId { U64 = 5 }));
        var e = Refused(request, Config(IdKind.Unspecified));
        Assert.Equal("upserts[1].id", e.Violations.Single().Field);

        request.Upserts.RemoveAt(1);
        Assert.Equal(IdKind.String, Validator.Validate(request, Config(IdKind.Unspecified), emptyAllowed: false).InferredIdKind);
    }

    [Fact]
    public void The_first_violation_decides_the_reason_and_every_violation_is_listed()
    {
        var request = new WriteRequest();
        request.Upserts.Add(Doc(new DocumentId { U64 = 1 }, 1f, 2f, 3f));
        var typed = Doc(new DocumentId { U64 = 2 });
        typed.Attributes["n"] = new AttributeValue { DoubleValue = 1.5 };
        request.Upserts.Add(typed);
        var e = Refused(request);
        Assert.Equal(ErrorReason.DimensionMismatch, e.Reason);
        Assert.Equal("3", e.Metadata["actual"]);
        Assert.Equal(["upserts[0].vectors[emb]", "upserts[1].attributes[n]"], e.Violations.Select(v => v.Field));

        request.Upserts.RemoveAt(0);
        var typeOnly = Refused(request);
        Assert.Equal(ErrorReason.AttributeTypeMismatch, typeOnly.Reason);
        Assert.Equal("DOUBLE", typeOnly.Metadata["actual"]);
    }

    [Fact]
    public void Undeclared_attributes_are_inferred_once_and_held_to_their_first_type_within_a_write()
    {
        var a = Doc(new DocumentId { U64 = 1 });
        a.Attributes["color"] = new AttributeValue { StringValue = "red" };
        var b = Doc(new DocumentId { U64 = 2 });
        b.Attributes["color"] = new AttributeValue { BoolValue = true };
        var request = new WriteRequest();
        request.Upserts.Add(a);
        Assert.Equal(AttributeType.String, Validator.Validate(request, Config(), emptyAllowed: false).NewAttributes["color"]);
        request.Upserts.Add(b);
        Assert.Equal("upserts[1].attributes[color]", Refused(request).Violations.Single().Field);
    }

    [Fact]
    public void Limits_are_checked_before_the_documents()
    {
        var request = new WriteRequest();
        for (var i = 0; i < 11; i++)
        {
            request.Deletes.Add(new DocumentId { Text = "wrong kind, never looked at" });
        }

        Assert.Equal("deletes", Refused(request).Violations.Single().Field);

        var big = Doc(new DocumentId { U64 = 1 });
        big.Attributes["s"] = new AttributeValue { StringValue = new string('x', 65) };
        var oneBig = new WriteRequest();
        oneBig.Upserts.Add(big);
        Assert.Equal("upserts[0].attributes[s]", Refused(oneBig).Violations.Single().Field);
        Assert.Equal("upserts", Refused(new WriteRequest()).Violations.Single().Field);
        Assert.Empty(Validator.Validate(new WriteRequest(), Config(), emptyAllowed: true).Operations);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("retry-1", true)]
    [InlineData("has space", false)]
    [InlineData("ü", false)]
    public void Idempotency_keys_are_printable_ascii(string key, bool valid) =>
        Assert.Equal(valid, WriteValidator.IsValidIdempotencyKey(key));
}
