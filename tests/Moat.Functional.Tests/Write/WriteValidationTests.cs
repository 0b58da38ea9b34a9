using Google.Protobuf;
using Grpc.Core;
using Moat.V1;

namespace Moat.Functional.Tests.Write;

/// <summary>
/// Every validation rule of a write (docs/write.md), through the gateway: the status, the reason,
/// the field path of the violation, and a namespace that did not change (its WAL did not move).
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class WriteValidationTests : IAsyncLifetime
{
    private readonly DevStackFixture _stack;
    private readonly WriteTestKit _kit;
    private string _ns = string.Empty;
    private string _nsid = string.Empty;

    public WriteValidationTests(DevStackFixture stack)
    {
        _stack = stack;
        _kit = new WriteTestKit(stack);
    }

    public async Task InitializeAsync()
    {
        _ns = WriteTestKit.NewName("validation");
        await _kit.CreateAsync(_ns);
        _nsid = (await _kit.NamespaceIdAsync(_ns))!;
        Assert.Equal(1ul, (await _kit.WriteAsync(WriteTestKit.Upsert(_ns, WriteTestKit.Doc(1)))).WalSequence);
    }

    /// <summary>Sends the write, expects INVALID_ARGUMENT with <paramref name="reason"/> and a violation at <paramref name="field"/>, and an unchanged WAL.</summary>
    private async Task<RpcException> RefusedAsync(WriteRequest request, string field, string reason = "INVALID_ARGUMENT")
    {
        var before = await _kit.VersionAsync(_nsid);
        var e = await Assert.ThrowsAsync<RpcException>(() => _kit.WriteAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(reason, WriteTestKit.Reason(e));
        var fields = WriteTestKit.BadRequest(e).FieldViolations.Select(v => v.Field).ToList();
        Assert.True(fields.Contains(field), $"expected a violation at {field}; got {string.Join(", ", fields)}");
        Assert.Equal(before, await _kit.VersionAsync(_nsid));
        Assert.Equal(1, before);
        return e;
    }

    [Fact]
    public async Task A_vector_of_the_wrong_dimensions_is_dimension_mismatch_naming_the_column()
    {
        var bad = WriteTestKit.Doc(3, dimensions: 5);
        var e = await RefusedAsync(WriteTestKit.Upsert(_ns, WriteTestKit.Doc(2), bad), "upserts[1].vectors[emb]", "DIMENSION_MISMATCH");
        var info = WriteTestKit.Info(e);
        Assert.Equal("emb", info.Metadata["column"]);
        Assert.Equal("4", info.Metadata["expected"]);
        Assert.Equal("5", info.Metadata["actual"]);
        Assert.Equal("upserts[1].vectors[emb]", info.Metadata["field"]);
    }

    [Fact]
    public async Task An_f16_vector_of_the_wrong_length_is_dimension_mismatch()
    {
        var bad = WriteTestKit.Doc(3);
        bad.Vectors["emb"] = new Vector { F16 = ByteString.CopyFrom(new byte[6]) };
        await RefusedAsync(WriteTestKit.Upsert(_ns, bad), "upserts[0].vectors[emb]", "DIMENSION_MISMATCH");
    }

    [Fact]
    public async Task A_non_finite_vector_element_is_refused()
    {
        var bad = WriteTestKit.Doc(3);
        bad.Vectors["emb"].Values[2] = float.NaN;
        await RefusedAsync(WriteTestKit.Upsert(_ns, bad), "upserts[0].vectors[emb]");
    }

    [Fact]
    public async Task An_id_of_the_wrong_kind_is_refused()
    {
        var bad = WriteTestKit.Doc(3);
        bad.Id = new DocumentId { Text = "not-a-number" };
        await RefusedAsync(WriteTestKit.Upsert(_ns, bad), "upserts[0].id");

        var delete = new WriteRequest { Namespace = _ns };
        delete.Deletes.Add(new DocumentId { Uuid = Guid.NewGuid().ToString() });
        await RefusedAsync(delete, "deletes[0]");
    }

    [Fact]
    public async Task A_missing_id_is_refused()
    {
        var bad = WriteTestKit.Doc(3);
        bad.Id = null;
        await RefusedAsync(WriteTestKit.Upsert(_ns, bad), "upserts[0].id");
    }

    [Fact]
    public async Task An_attribute_value_of_another_type_than_its_schema_is_attribute_type_mismatch()
    {
        var bad = WriteTestKit.Doc(3);
        bad.Attributes["n"] = new AttributeValue { StringValue = "seven" };
        var e = await RefusedAsync(WriteTestKit.Upsert(_ns, bad), "upserts[0].attributes[n]", "ATTRIBUTE_TYPE_MISMATCH");
        Assert.Equal("INT64", WriteTestKit.Info(e).Metadata["expected"]);
        Assert.Equal("STRING", WriteTestKit.Info(e).Metadata["actual"]);

        var patch = new WriteRequest { Namespace = _ns };
        patch.Patches.Add(new Document { Id = new DocumentId { U64 = 1 }, Attributes = { ["title"] = new AttributeValue { IntValue = 5 } } });
        await RefusedAsync(patch, "patches[0].attributes[title]", "ATTRIBUTE_TYPE_MISMATCH");
    }

    [Fact]
    public async Task An_upsert_without_a_vector_column_is_refused()
    {
        var bad = WriteTestKit.Doc(3);
        bad.Vectors.Clear();
        await RefusedAsync(WriteTestKit.Upsert(_ns, bad), "upserts[0].vectors[emb]");
    }

    [Fact]
    public async Task A_vector_column_the_namespace_does_not_have_is_refused()
    {
        var bad = WriteTestKit.Doc(3);
        bad.Vectors["other"] = new Vector { Values = { 1, 2, 3, 4 } };
        await RefusedAsync(WriteTestKit.Upsert(_ns, bad), "upserts[0].vectors[other]");
    }

    [Fact]
    public async Task A_patch_with_vectors_is_refused()
    {
        var patch = new WriteRequest { Namespace = _ns };
        patch.Patches.Add(WriteTestKit.Doc(1));
        await RefusedAsync(patch, "patches[0].vectors");
    }

    [Fact]
    public async Task The_same_id_twice_across_operations_is_refused()
    {
        var request = WriteTestKit.Upsert(_ns, WriteTestKit.Doc(5), WriteTestKit.Doc(6));
        request.Deletes.Add(new DocumentId { U64 = 5 });
        await RefusedAsync(request, "deletes[0]");
        await RefusedAsync(WriteTestKit.Upsert(_ns, WriteTestKit.Doc(5), WriteTestKit.Doc(5)), "upserts[1].id");
    }

    [Fact]
    public async Task More_operations_than_the_limit_are_refused()
    {
        var request = new WriteRequest { Namespace = _ns };
        for (var i = 0; i <= DevStackFixture.WriteLimits["MaxOperations"]; i++)
        {
            request.Deletes.Add(new DocumentId { U64 = (ulong)(1000 + i) });
        }

        await RefusedAsync(request, "deletes");
    }

    [Fact]
    public async Task A_write_larger_than_the_limit_is_refused()
    {
        // Under the operation limit, over the byte limit: 600 documents of 4 KiB of text each.
        var docs = Enumerable.Range(0, 600).Select(i => WriteTestKit.Doc((ulong)(2000 + i), title: new string('x', 4000))).ToArray();
        await RefusedAsync(WriteTestKit.Upsert(_ns, docs), "upserts");
    }

    [Fact]
    public async Task An_attribute_value_over_the_size_limit_is_refused()
    {
        var bad = WriteTestKit.Doc(3, title: new string('y', DevStackFixture.WriteLimits["MaxAttributeValueBytes"] + 1));
        await RefusedAsync(WriteTestKit.Upsert(_ns, bad), "upserts[0].attributes[title]");
    }

    [Fact]
    public async Task Invalid_attribute_names_and_values_are_refused()
    {
        var bad = WriteTestKit.Doc(3);
        bad.Attributes["id"] = new AttributeValue { IntValue = 1 };
        bad.Attributes["score"] = new AttributeValue { DoubleValue = double.NaN };
        var e = await RefusedAsync(WriteTestKit.Upsert(_ns, bad), "upserts[0].attributes[id]");
        Assert.Contains("upserts[0].attributes[score]", WriteTestKit.BadRequest(e).FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task An_empty_write_and_a_bad_idempotency_key_are_refused()
    {
        await RefusedAsync(new WriteRequest { Namespace = _ns }, "upserts");
        var request = WriteTestKit.Upsert(_ns, WriteTestKit.Doc(3));
        request.IdempotencyKey = "has a space";
        await RefusedAsync(request, "idempotency_key");
    }

    [Fact]
    public async Task Every_violation_is_reported_together_and_nothing_is_written()
    {
        var a = WriteTestKit.Doc(10, dimensions: 3);
        var b = WriteTestKit.Doc(11);
        b.Attributes["n"] = new AttributeValue { BoolValue = true };
        var c = WriteTestKit.Doc(12);
        c.Vectors.Clear();
        var e = await RefusedAsync(WriteTestKit.Upsert(_ns, WriteTestKit.Doc(9), a, b, c), "upserts[1].vectors[emb]", "DIMENSION_MISMATCH");
        var fields = WriteTestKit.BadRequest(e).FieldViolations.Select(v => v.Field).ToList();
        Assert.Equal(["upserts[1].vectors[emb]", "upserts[2].attributes[n]", "upserts[3].vectors[emb]"], fields);

        // The valid document of the refused write was not applied either: nothing of it is in the WAL.
        var wal = await _kit.ReadWalAsync(_nsid);
        Assert.DoesNotContain(wal.SelectMany(x => x.Writes).SelectMany(w => w.Operations), o => o.Upsert?.Id?.U64 == 9);
    }

    [Fact]
    public async Task An_undeclared_attribute_is_added_with_its_type_and_then_enforced()
    {
        var first = WriteTestKit.Doc(20);
        first.Attributes["color"] = new AttributeValue { StringValue = "red" };
        Assert.Equal(2ul, (await _kit.WriteAsync(WriteTestKit.Upsert(_ns, first))).WalSequence);

        var second = WriteTestKit.Doc(21);
        second.Attributes["color"] = new AttributeValue { IntValue = 3 };
        var before = await _kit.VersionAsync(_nsid);
        var e = await Assert.ThrowsAsync<RpcException>(() => _kit.WriteAsync(WriteTestKit.Upsert(_ns, second)));
        Assert.Equal("ATTRIBUTE_TYPE_MISMATCH", WriteTestKit.Reason(e));
        Assert.Equal(before, await _kit.VersionAsync(_nsid));

        // CreateNamespace with the original config still matches (attributes were only added).
        Assert.False((await _kit.CreateAsync(_ns)).Created);
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();
}
