using Moat.Storage.Sealing;
using static Moat.Storage.Tests.Sealing.SealingFixtures;

namespace Moat.Storage.Tests.Sealing;

public class SealedObjectRoundTripTests
{
    private readonly SingleDataKey _keys = new();

    public static TheoryData<int, int> Sizes()
    {
        var data = new TheoryData<int, int>();
        foreach (var chunk in new[] { SealedObjectFormat.DefaultChunkSize, SealedObjectFormat.MinChunkSize })
        {
            foreach (var size in new[] { 0, 1, chunk - 1, chunk, chunk + 1, 10 * 1024 * 1024 })
            {
                data.Add(size, chunk);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task One_shot_seal_round_trips_through_every_reader(int size, int chunkSize)
    {
        var plaintext = Bytes(size);
        var stored = Seal(_keys, plaintext, chunkSize);

        Assert.Equal(SealedObjectFormat.GetSealedLength(size, chunkSize), stored.Length);
        Assert.Equal(plaintext, await SealedObjectReader.UnsealAsync(stored, ObjectPath, _keys));
        Assert.Equal(plaintext, (await ReadStreamAsync(new MemoryStream(stored), ObjectPath, _keys)).Delivered);
        Assert.Equal(plaintext, (await ReadStreamAsync(new NonSeekableStream(stored), ObjectPath, _keys)).Delivered);
        Assert.Equal(plaintext, await ReadRangeAsync(stored, ObjectPath, _keys));

        var destination = new byte[size];
        Assert.Equal(size, SealedObjectReader.Unseal(stored, destination, ObjectPath, _keys.Key));
        Assert.Equal(plaintext, destination);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Streaming_writer_matches_the_format_in_any_write_pattern(int size, int chunkSize)
    {
        var plaintext = Bytes(size, seed: 42);
        foreach (var piece in new[] { 1000, chunkSize, 3 * chunkSize + 17, int.MaxValue })
        {
            if (piece == 1000 && size > 1024 * 1024)
            {
                continue;
            }

            var output = new MemoryStream();
            await using (var writer = new SealedObjectWriter(output, ObjectPath, SingleDataKey.KeyringVersion, SingleDataKey.DekId, _keys.Key, size,
                chunkSize, leaveOpen: true))
            {
                for (var at = 0; at < size; at += piece)
                {
                    await writer.WriteAsync(plaintext.AsMemory(at, Math.Min(piece, size - at)));
                }

                await writer.CompleteAsync();
                Assert.True(writer.IsCompleted);
            }

            var stored = output.ToArray();
            Assert.Equal(SealedObjectFormat.GetSealedLength(size, chunkSize), stored.Length);
            Assert.Equal(plaintext, await SealedObjectReader.UnsealAsync(stored, ObjectPath, _keys));
        }
    }

    [Fact]
    public void Synchronous_writer_and_dispose_seal_an_empty_object()
    {
        var output = new MemoryStream();
        using (var writer = new SealedObjectWriter(output, ObjectPath, SingleDataKey.KeyringVersion, SingleDataKey.DekId, _keys.Key, 0, leaveOpen: true))
        {
            // Dispose completes an object whose declared length was written (here: nothing).
        }

        var stored = output.ToArray();
        Assert.Equal(SealedObjectFormat.V1HeaderSize + SealedObjectFormat.TagSize, stored.Length);
        Assert.Equal(0, SealedObjectReader.Unseal(stored, [], ObjectPath, _keys.Key));
    }

    [Fact]
    public void Writer_byte_by_byte_equals_one_shot_format()
    {
        var plaintext = Bytes(9000);
        var output = new MemoryStream();
        using (var writer = new SealedObjectWriter(output, ObjectPath, SingleDataKey.KeyringVersion, SingleDataKey.DekId, _keys.Key, plaintext.Length,
            4096, leaveOpen: true))
        {
            foreach (var b in plaintext)
            {
                writer.WriteByte(b);
            }

            writer.Complete();
        }

        var destination = new byte[plaintext.Length];
        SealedObjectReader.Unseal(output.ToArray(), destination, ObjectPath, _keys.Key);
        Assert.Equal(plaintext, destination);
    }

    [Fact]
    public void Writer_refuses_more_or_fewer_bytes_than_declared()
    {
        using var writer = new SealedObjectWriter(new MemoryStream(), ObjectPath, SingleDataKey.KeyringVersion, SingleDataKey.DekId, _keys.Key, 10);
        writer.Write(new byte[4]);
        Assert.Throws<InvalidOperationException>(() => writer.Complete());
        Assert.Throws<InvalidOperationException>(() => writer.Write(new byte[7]));
    }

    [Fact]
    public void Two_seals_of_the_same_plaintext_share_no_salt_nonce_or_ciphertext()
    {
        var plaintext = Bytes(5000);
        var a = Seal(_keys, plaintext, 4096);
        var b = Seal(_keys, plaintext, 4096);
        var ha = SealedObjectHeader.Parse(a, ObjectPath);
        var hb = SealedObjectHeader.Parse(b, ObjectPath);
        Assert.False(ha.Salt.SequenceEqual(hb.Salt));
        Assert.False(ha.NoncePrefix.SequenceEqual(hb.NoncePrefix));
        Assert.False(a.AsSpan(69, 64).SequenceEqual(b.AsSpan(69, 64)));
    }

    [Fact]
    public void Chunk_size_is_bounded()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SealedObjectHeader.Create(1, 1, 10, SealedObjectFormat.MinChunkSize - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SealedObjectHeader.Create(1, 1, 10, SealedObjectFormat.MaxChunkSize + 1));
        Assert.Equal(SealedObjectFormat.MaxChunkSize, SealedObjectHeader.Create(1, 1, 10, SealedObjectFormat.MaxChunkSize).ChunkSize);
    }

    [Fact]
    public void Header_serializes_the_documented_layout()
    {
        var header = SealedObjectHeader.Create(0x0102030405060708, 0x0A0B0C0D, 0x1122334455, 4096);
        var bytes = header.Bytes.ToArray();
        Assert.Equal(69, bytes.Length);
        Assert.Equal("MOAT"u8.ToArray(), bytes[..4]);
        Assert.Equal(new byte[] { 0, 1 }, bytes[4..6]);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, bytes[6..14]);
        Assert.Equal(new byte[] { 0x0A, 0x0B, 0x0C, 0x0D }, bytes[14..18]);
        Assert.Equal(header.Salt.ToArray(), bytes[18..50]);
        Assert.Equal(header.NoncePrefix.ToArray(), bytes[50..57]);
        Assert.Equal(new byte[] { 0, 0, 0x10, 0 }, bytes[57..61]);
        Assert.Equal(new byte[] { 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55 }, bytes[61..69]);

        var parsed = SealedObjectHeader.Parse(bytes, ObjectPath);
        Assert.Equal(header.KeyringVersion, parsed.KeyringVersion);
        Assert.Equal(header.DekId, parsed.DekId);
        Assert.Equal(header.PlaintextLength, parsed.PlaintextLength);
        Assert.Equal(69 + (4096L + 16) * 1, parsed.GetChunkOffset(1));
    }
}
