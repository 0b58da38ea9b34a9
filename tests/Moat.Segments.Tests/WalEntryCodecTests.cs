using System.Buffers;
using Google.Protobuf;
using Moat.Internal.V1;
using Moat.Segments.Wal;
using Moat.V1;

namespace Moat.Segments.Tests;

public class WalEntryCodecTests
{
    [Theory]
    [InlineData(IdKind.U64)]
    [InlineData(IdKind.Uuid)]
    [InlineData(IdKind.String)]
    public void Round_trips_every_operation_id_kind_and_attribute_type(IdKind kind)
    {
        var entry = TestData.Entry(42,
            TestData.Write("key-1", TestData.Upsert(TestData.Full(kind, 0)), TestData.Upsert(TestData.Full(kind, 1))),
            TestData.Write(null, TestData.Patch(TestData.Id(kind, 0), "n", null), TestData.Delete(TestData.Id(kind, 1))));
        entry.Writes[0].Response = new WriteResponse { RowsUpserted = 2, WalSequence = 42 };

        var bytes = WalEntryCodec.Encode(entry);
        var back = WalEntryCodec.Decode(bytes);

        Assert.Equal(entry, back);
        Assert.Equal("key-1", back.Writes[0].IdempotencyKey);
        Assert.Equal(string.Empty, back.Writes[1].IdempotencyKey);
        Assert.Equal(1, WalEntryCodec.PeekVersion(bytes));

        var writer = new ArrayBufferWriter<byte>();
        WalEntryCodec.Encode(entry, writer);
        Assert.Equal(bytes, writer.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(2, 400)] // writes over 16 KiB: a three-byte length prefix
    public void Encoding_from_encoded_writes_gives_the_bytes_of_the_whole_entry(int writes, int upsertsPerWrite)
    {
        var entry = TestData.Entry(ulong.MaxValue);
        for (var w = 0; w < writes; w++)
        {
            var ops = Enumerable.Range(0, upsertsPerWrite).Select(i => TestData.Upsert(TestData.Full(IdKind.String, (w * 1000) + i))).ToArray();
            entry.Writes.Add(TestData.Write(w % 2 == 0 ? "key-" + w : null, ops));
        }

        entry.Writes.Add(TestData.Write(null)); // an empty write is still a (zero-length) field
        var header = entry.Clone();
        header.Writes.Clear();
        var encodedWrites = entry.Writes.Select(w => (ReadOnlyMemory<byte>)w.ToByteArray()).ToList();

        var length = WalEntryCodec.GetEncodedLength(header, encodedWrites);
        var destination = new byte[length + 7];
        var written = WalEntryCodec.Encode(header, encodedWrites, destination);

        Assert.Equal(length, written);
        Assert.Equal(WalEntryCodec.Encode(entry), destination.AsSpan(0, written).ToArray());
        Assert.Equal(entry, WalEntryCodec.Decode(destination.AsSpan(0, written)));
        Assert.Throws<ArgumentException>(() => WalEntryCodec.Encode(header, encodedWrites, new byte[length - 1]));
        Assert.Throws<ArgumentException>(() => WalEntryCodec.GetEncodedLength(entry, encodedWrites));
    }

    [Fact]
    public void Rejects_a_future_version_naming_it()
    {
        var bytes = TestData.WithVersion(WalEntryCodec.Encode(TestData.Entry(1)), 2);
        var e = Assert.Throws<FormatVersionException>(() => WalEntryCodec.Decode(bytes));
        Assert.Contains("version 2", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.FoundVersion);
    }

    [Fact]
    public void Rejects_version_zero_and_foreign_objects()
    {
        var bytes = WalEntryCodec.Encode(TestData.Entry(1));
        Assert.Throws<FormatVersionException>(() => WalEntryCodec.Decode(TestData.WithVersion(bytes, 0)));
        Assert.Throws<FormatVersionException>(() => WalEntryCodec.Decode("MMAN\u0001\u0000"u8));
        Assert.Throws<FormatVersionException>(() => WalEntryCodec.Decode([]));
    }

    [Fact]
    public void Accepts_current_and_previous_version_range()
    {
        // Current is 1 (there is no version 0), so the accepted range is exactly [1, 1]; the rule
        // [current - 1, current] is exercised by FormatEnvelope directly.
        Assert.Equal(4, FormatEnvelope.ReadAndCheck("XXXX\u0004\u0000"u8, "XXXX"u8, 5, "thing"));
        Assert.Equal(5, FormatEnvelope.ReadAndCheck("XXXX\u0005\u0000"u8, "XXXX"u8, 5, "thing"));
        Assert.Throws<FormatVersionException>(() => FormatEnvelope.ReadAndCheck("XXXX\u0003\u0000"u8, "XXXX"u8, 5, "thing"));
        Assert.Throws<FormatVersionException>(() => FormatEnvelope.ReadAndCheck("XXXX\u0006\u0000"u8, "XXXX"u8, 5, "thing"));
    }

    [Fact]
    public void Malformed_body_is_a_format_error()
    {
        var bytes = WalEntryCodec.Encode(TestData.Entry(1, TestData.Write("k", TestData.Upsert(TestData.Full(IdKind.U64, 1)))));
        Assert.Throws<SegmentFormatException>(() => WalEntryCodec.Decode(bytes.AsSpan(0, bytes.Length - 3)));
    }
}
