using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Segments.Tests;

internal static class TestData
{
    public static NamespaceConfig Schema(IdKind kind)
    {
        var c = new NamespaceConfig { IdKind = kind };
        c.Vectors["emb"] = new VectorColumn { Dimensions = 3, ElementType = VectorElementType.F32, Metric = DistanceMetric.Cosine };
        c.Vectors["small"] = new VectorColumn { Dimensions = 2, ElementType = VectorElementType.F16, Metric = DistanceMetric.Euclidean };
        c.Attributes["title"] = new AttributeSchema { Type = AttributeType.String, FullText = new FullTextOptions() };
        c.Attributes["tags"] = new AttributeSchema { Type = AttributeType.StringList, FullText = new FullTextOptions { Tokenizer = Moat.V1.Tokenizer.PreTokenized } };
        c.Attributes["n"] = new AttributeSchema { Type = AttributeType.Int64 };
        c.Attributes["note"] = new AttributeSchema { Type = AttributeType.String, Filterable = false };
        return c;
    }

    public static DocumentId Id(IdKind kind, int i) => kind switch
    {
        IdKind.U64 => new DocumentId { U64 = (ulong)(i * 7) + 1 },
        IdKind.Uuid => new DocumentId { Uuid = new Guid(i * 977, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte)i).ToString("D") },
        _ => new DocumentId { Text = "doc-" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture) + (i % 3 == 0 ? "é" : string.Empty) },
    };

    public static Timestamp Micros(long micros) => new() { Seconds = Math.DivRem(micros, 1_000_000, out var r) - (r < 0 ? 1 : 0), Nanos = (int)((r + (r < 0 ? 1_000_000 : 0)) * 1000) };

    /// <summary>A document carrying every attribute type (some null for odd i).</summary>
    public static Document Full(IdKind kind, int i)
    {
        var d = new Document { Id = Id(kind, i) };
        d.Vectors["emb"] = new Vector { Values = { i, -i / 2f, 0.25f } };
        d.Vectors["small"] = new Vector { Values = { i / 4f, 1.5f } };
        var a = d.Attributes;
        a["title"] = new AttributeValue { StringValue = $"The quick brown fox {i} jumps over the lazy dog" };
        a["tags"] = new AttributeValue { StringList = new StringList { Values = { "Red", "t" + (i % 3) } } };
        a["n"] = new AttributeValue { IntValue = (i % 4) - 2 };
        a["note"] = new AttributeValue { StringValue = "note " + i };
        a["u"] = new AttributeValue { UintValue = ulong.MaxValue - (ulong)i };
        a["d"] = new AttributeValue { DoubleValue = (i % 3) * -1.5 };
        a["flag"] = new AttributeValue { BoolValue = i % 2 == 0 };
        a["when"] = new AttributeValue { DatetimeValue = Micros((i - 3) * 1_234_567L) };
        a["ref"] = new AttributeValue { UuidValue = new Guid(i, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8).ToString("D") };
        if (i % 2 == 0)
        {
            a["ints"] = new AttributeValue { IntList = new Int64List { Values = { i, -i, long.MinValue } } };
            a["uints"] = new AttributeValue { UintList = new UInt64List { Values = { 1, (ulong)i } } };
            a["dbls"] = new AttributeValue { DoubleList = new DoubleList { Values = { 0.5, i } } };
            a["bools"] = new AttributeValue { BoolList = new BoolList { Values = { true, false } } };
            a["uuids"] = new AttributeValue { UuidList = new UuidList { Values = { new Guid(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)i).ToString("D") } } };
            a["times"] = new AttributeValue { DatetimeList = new DateTimeList { Values = { Micros(i), Micros(-i * 1000) } } };
            a["empty"] = new AttributeValue { StringList = new StringList() };
        }

        return d;
    }

    public static WalEntry Entry(ulong seq, params WalWrite[] writes)
    {
        var e = new WalEntry { NamespaceId = "ns1", Sequence = seq, CommittedAt = Micros((long)seq * 1000), SchemaVersion = 1 };
        e.Writes.AddRange(writes);
        return e;
    }

    public static WalWrite Write(string? key, params WalOperation[] ops)
    {
        var w = new WalWrite { IdempotencyKey = key ?? string.Empty };
        w.Operations.AddRange(ops);
        return w;
    }

    public static WalOperation Upsert(Document d) => new() { Upsert = d };

    public static WalOperation Patch(DocumentId id, string name, AttributeValue? value)
    {
        var d = new Document { Id = id };
        d.Attributes[name] = value ?? new AttributeValue { NullValue = NullValue.NullValue };
        return new WalOperation { Patch = d };
    }

    public static WalOperation Delete(DocumentId id) => new() { Delete = id };

    public static byte[] WithVersion(byte[] encoded, ushort version)
    {
        var copy = (byte[])encoded.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(4), version);
        return copy;
    }

    public static ByteString F16(params float[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)values[i]);
        }

        return ByteString.CopyFrom(bytes);
    }
}
