using System.Buffers.Binary;
using Google.Protobuf.WellKnownTypes;
using Moat.Internal.V1;
using Moat.Storage.Namespaces;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.Storage.Tests.ObjectStore;
using Moat.Storage.Tests.Sealing;
using Moat.V1;

namespace Moat.Storage.Tests.Namespaces;

/// <summary>Namespace meta: the versioned envelope, sealed create-if-absent, compare-and-swap changes, the short cache, and config rules.</summary>
public sealed class NamespaceMetaTests : IDisposable
{
    private readonly TestDirectory _dir = new();
    private readonly LocalFileSystemStore _store;
    private readonly SingleDataKey _keys = new();

    public NamespaceMetaTests()
    {
        _store = new LocalFileSystemStore(_dir.Path, "test-region");
    }

    private SealingKey Key => SealingKey.Borrowed(SingleDataKey.KeyringVersion, SingleDataKey.DekId, _keys.Key);

    private static NamespaceMeta Meta(string nsid = "ns_1")
    {
        var config = new NamespaceConfig { IdKind = IdKind.U64 };
        config.Vectors["emb"] = new VectorColumn { Dimensions = 8, Metric = DistanceMetric.Dot };
        return new NamespaceMeta { Org = "acme", Name = "docs", NamespaceId = nsid, Config = config, SchemaVersion = 1, CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch), Region = "test-region" };
    }

    [Fact]
    public void The_codec_round_trips_and_refuses_other_objects_and_versions()
    {
        var bytes = NamespaceMetaCodec.Encode(Meta());
        Assert.Equal("MNSM"u8.ToArray(), bytes[..4]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(Meta(), NamespaceMetaCodec.Decode(bytes));

        var future = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(future.AsSpan(4), 2);
        Assert.Contains("version 2", Assert.Throws<NamespaceMetaFormatException>(() => NamespaceMetaCodec.Decode(future)).Message, StringComparison.Ordinal);

        var other = (byte[])bytes.Clone();
        other[0] = (byte)'X';
        Assert.Throws<NamespaceMetaFormatException>(() => NamespaceMetaCodec.Decode(other));
        Assert.Throws<NamespaceMetaFormatException>(() => NamespaceMetaCodec.Decode([.. bytes[..6], 0xFF, 0xFF]));
    }

    [Fact]
    public async Task Meta_is_stored_sealed_created_once_and_the_first_creator_wins()
    {
        var store = new NamespaceMetaStore(_store, TimeSpan.FromSeconds(5));
        var (first, created) = await store.CreateIfAbsentAsync(Meta(), Key, _keys, default);
        Assert.True(created);

        var raw = await _store.GetAsync(StoragePaths.Meta("ns_1"), null, default);
        Assert.Equal("MOAT"u8.ToArray(), raw!.Data.Span[..4].ToArray()); // sealed, not the MNSM plaintext

        var rival = Meta();
        rival.Config.Vectors["emb"].Dimensions = 16;
        var (second, createdAgain) = await store.CreateIfAbsentAsync(rival, Key, _keys, default);
        Assert.False(createdAgain);
        Assert.Equal(8u, second.Meta.Config.Vectors["emb"].Dimensions);
        Assert.Equal(first.ETag, second.ETag);

        var fresh = new NamespaceMetaStore(_store, TimeSpan.Zero);
        Assert.Equal(first.Meta, (await fresh.GetAsync("ns_1", _keys, default))!.Meta);
        Assert.Null(await fresh.GetAsync("ns_none", _keys, default));
    }

    [Fact]
    public async Task A_change_is_compare_and_swap_and_a_stale_writer_loses()
    {
        var a = new NamespaceMetaStore(_store, TimeSpan.FromMinutes(1));
        var b = new NamespaceMetaStore(_store, TimeSpan.FromMinutes(1));
        var (created, _) = await a.CreateIfAbsentAsync(Meta(), Key, _keys, default);
        var seenByB = (await b.GetAsync("ns_1", _keys, default))!;

        var added = created.Meta.Clone();
        added.SchemaVersion = 2;
        added.Config.Attributes["color"] = new AttributeSchema { Type = AttributeType.String };
        var changed = await a.ReplaceAsync(created, added, Key, default);
        Assert.Equal(2ul, changed.Meta.SchemaVersion);

        var rival = seenByB.Meta.Clone();
        rival.SchemaVersion = 2;
        rival.Config.Attributes["color"] = new AttributeSchema { Type = AttributeType.Int64 };
        await Assert.ThrowsAsync<ObjectStorePreconditionFailedException>(() => b.ReplaceAsync(seenByB, rival, Key, default));

        // The loser's cache was dropped: it reads the winner's change.
        Assert.Equal(AttributeType.String, (await b.GetAsync("ns_1", _keys, default))!.Meta.Config.Attributes["color"].Type);
        await Assert.ThrowsAsync<ArgumentException>(() => a.ReplaceAsync(changed, added, Key, default)); // schema_version must grow by one
    }

    [Fact]
    public async Task Meta_moved_to_another_namespace_does_not_open()
    {
        var store = new NamespaceMetaStore(_store, TimeSpan.Zero);
        await store.CreateIfAbsentAsync(Meta("ns_a"), Key, _keys, default);
        var stored = await _store.GetAsync(StoragePaths.Meta("ns_a"), null, default);
        await _store.PutAsync(StoragePaths.Meta("ns_b"), stored!.Data, PutCondition.None, default);
        await Assert.ThrowsAsync<SealedObjectIntegrityException>(() => store.GetAsync("ns_b", _keys, default));
    }

    [Fact]
    public void Config_rules_name_every_violation_by_its_path()
    {
        var config = new NamespaceConfig { IdKind = (IdKind)9 };
        config.Vectors["ok"] = new VectorColumn { Dimensions = 4, Metric = DistanceMetric.Cosine };
        config.Vectors["big"] = new VectorColumn { Dimensions = 5000, Metric = DistanceMetric.Cosine };
        config.Vectors["no-dash"] = new VectorColumn { Dimensions = 4, Metric = DistanceMetric.Cosine };
        config.Attributes["id"] = new AttributeSchema { Type = AttributeType.String };
        config.Attributes["body"] = new AttributeSchema { Type = AttributeType.String, FullText = new FullTextOptions { Language = "english", K1 = -1, B = 2 } };
        config.Attributes["tags"] = new AttributeSchema { Type = AttributeType.String, FullText = new FullTextOptions { Tokenizer = Tokenizer.PreTokenized } };
        var fields = NamespaceConfigRules.Validate(config, "config").Select(v => v.Field).ToList();
        Assert.Equal(
            [
                "config.id_kind", "config.vectors[big].dimensions", "config.vectors[no-dash]",
                "config.attributes[body].full_text.language", "config.attributes[body].full_text.k1", "config.attributes[body].full_text.b",
                "config.attributes[id]", "config.attributes[tags].full_text.tokenizer",
            ],
            fields);
        Assert.Empty(NamespaceConfigRules.Validate(Meta().Config, "config"));
        Assert.Empty(NamespaceConfigRules.Validate(null, "config"));
    }

    [Fact]
    public void A_create_is_satisfied_by_the_stored_config_when_it_asks_for_no_more_than_it_has()
    {
        var stored = NamespaceConfigRules.Canonical(Meta().Config);
        stored.Attributes["added-by-a-write"] = new AttributeSchema { Type = AttributeType.Int64 };
        var asked = Meta().Config;
        Assert.True(NamespaceConfigRules.IsSatisfiedBy(asked, stored));

        var otherDimensions = asked.Clone();
        otherDimensions.Vectors["emb"].Dimensions = 9;
        Assert.False(NamespaceConfigRules.IsSatisfiedBy(otherDimensions, stored));

        var otherKey = asked.Clone();
        otherKey.Encryption = new EncryptionConfig { KeyId = "key_1" };
        Assert.False(NamespaceConfigRules.IsSatisfiedBy(otherKey, stored));

        var untyped = asked.Clone();
        untyped.Attributes["added-by-a-write"] = new AttributeSchema();
        Assert.True(NamespaceConfigRules.IsSatisfiedBy(untyped, stored));
    }

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }
}
