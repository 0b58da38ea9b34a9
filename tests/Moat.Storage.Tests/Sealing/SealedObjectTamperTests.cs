using Moat.Storage.Sealing;
using static Moat.Storage.Tests.Sealing.SealingFixtures;

namespace Moat.Storage.Tests.Sealing;

/// <summary>Every tamper case of DESIGN section 6 fails with an integrity exception that names the path,
/// and no reader hands out plaintext of a chunk that did not authenticate.</summary>
public class SealedObjectTamperTests
{
    private const int Chunk = 4096;
    private readonly SingleDataKey _keys = new();

    [Fact]
    public async Task Truncation_at_every_byte_is_detected_by_every_reader()
    {
        var plaintext = Bytes(2 * Chunk + 100);
        var stored = Seal(_keys, plaintext, Chunk);
        for (var length = 0; length < stored.Length; length++)
        {
            var cut = stored[..length];
            await AssertRejectedAsync(cut, ObjectPath, plaintext);
        }
    }

    [Fact]
    public async Task Dropping_the_whole_final_chunk_is_detected()
    {
        var plaintext = Bytes(3 * Chunk);
        var stored = Seal(_keys, plaintext, Chunk);
        var e = await AssertRejectedAsync(stored[..^(Chunk + 16)], ObjectPath, plaintext);
        Assert.Equal(SealedObjectFailure.Truncated, e.Failure);

        // The same for the empty final chunk of an empty object.
        var empty = Seal(_keys, [], Chunk);
        await AssertRejectedAsync(empty[..^16], ObjectPath, []);
    }

    [Fact]
    public async Task Every_flipped_bit_is_detected()
    {
        var plaintext = Bytes(Chunk + 900);
        var stored = Seal(_keys, plaintext, Chunk);
        for (var bit = 0; bit < stored.Length * 8; bit++)
        {
            var tampered = (byte[])stored.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            var e = await Assert.ThrowsAsync<SealedObjectIntegrityException>(() => SealedObjectReader.UnsealAsync(tampered, ObjectPath, _keys).AsTask());
            Assert.Contains(ObjectPath, e.Message, StringComparison.Ordinal);
            Assert.Equal(ObjectPath, e.ObjectPath);

            if (bit % 8 == bit / 8 % 8)
            {
                // One bit per byte through the streaming and range readers too.
                await AssertRejectedAsync(tampered, ObjectPath, plaintext);
            }
        }
    }

    [Fact]
    public async Task Flipped_bit_in_the_header_fails_at_chunk_zero_with_nothing_released()
    {
        var plaintext = Bytes(3 * Chunk);
        var stored = Seal(_keys, plaintext, Chunk);
        stored[20] ^= 0x01; // salt
        var (delivered, failure) = await ReadStreamAsync(new NonSeekableStream(stored), ObjectPath, _keys);
        Assert.Empty(delivered);
        var e = Assert.IsType<SealedObjectIntegrityException>(failure);
        Assert.Equal(SealedObjectFailure.TagMismatch, e.Failure);
        Assert.Equal(0, e.ChunkIndex);
        Assert.Contains("tag mismatch at chunk 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reordered_chunks_are_detected()
    {
        var plaintext = Bytes(3 * Chunk);
        var stored = Seal(_keys, plaintext, Chunk);
        const int storedChunk = Chunk + 16;
        foreach (var (a, b) in new[] { (0, 1), (1, 2), (0, 2) })
        {
            var swapped = (byte[])stored.Clone();
            stored.AsSpan(69 + (a * storedChunk), storedChunk).CopyTo(swapped.AsSpan(69 + (b * storedChunk)));
            stored.AsSpan(69 + (b * storedChunk), storedChunk).CopyTo(swapped.AsSpan(69 + (a * storedChunk)));
            var e = await AssertRejectedAsync(swapped, ObjectPath, plaintext);
            Assert.Equal(SealedObjectFailure.TagMismatch, e.Failure);
            Assert.Equal(a, e.ChunkIndex);
        }
    }

    [Fact]
    public async Task A_header_swapped_from_another_object_is_detected()
    {
        var plaintext = Bytes(2 * Chunk);
        var a = Seal(_keys, plaintext, Chunk);
        var b = Seal(_keys, Bytes(2 * Chunk, seed: 5), Chunk);
        var mixed = (byte[])a.Clone();
        b.AsSpan(0, 69).CopyTo(mixed);
        var e = await AssertRejectedAsync(mixed, ObjectPath, plaintext);
        Assert.Equal(SealedObjectFailure.TagMismatch, e.Failure);
        Assert.Equal(0, e.ChunkIndex);
    }

    [Fact]
    public async Task An_object_copied_to_another_path_is_detected()
    {
        var plaintext = Bytes(Chunk + 1);
        var stored = Seal(_keys, plaintext, Chunk);
        const string otherPath = "v1/ns/ns-test/seg/segment-0002";
        var e = await AssertRejectedAsync(stored, otherPath, plaintext);
        Assert.Equal(SealedObjectFailure.TagMismatch, e.Failure);

        const string otherNamespace = "v1/ns/ns-other/seg/segment-0001";
        await AssertRejectedAsync(stored, otherNamespace, plaintext);
    }

    [Fact]
    public async Task Trailing_data_is_detected_by_whole_object_readers()
    {
        var plaintext = Bytes(Chunk + 10);
        var stored = Seal(_keys, plaintext, Chunk);
        byte[] longer = [.. stored, 0];
        var e = await Assert.ThrowsAsync<SealedObjectIntegrityException>(() => SealedObjectReader.UnsealAsync(longer, ObjectPath, _keys).AsTask());
        Assert.Equal(SealedObjectFailure.TrailingData, e.Failure);
        Assert.Contains(ObjectPath, e.Message, StringComparison.Ordinal);

        var (seekDelivered, seekFailure) = await ReadStreamAsync(new MemoryStream(longer), ObjectPath, _keys);
        Assert.Empty(seekDelivered);
        Assert.Equal(SealedObjectFailure.TrailingData, Assert.IsType<SealedObjectIntegrityException>(seekFailure).Failure);

        // Without a length to check up front, the final chunk is withheld: only chunk 0 came out.
        var (delivered, failure) = await ReadStreamAsync(new NonSeekableStream(longer), ObjectPath, _keys);
        Assert.Equal(plaintext[..Chunk], delivered);
        Assert.Equal(SealedObjectFailure.TrailingData, Assert.IsType<SealedObjectIntegrityException>(failure).Failure);
    }

    [Fact]
    public async Task Wrong_or_unknown_key_is_refused()
    {
        var plaintext = Bytes(100);
        var stored = Seal(_keys, plaintext, Chunk);
        var e = await AssertRejectedAsync(stored, ObjectPath, plaintext, new SingleDataKey());
        Assert.Equal(SealedObjectFailure.TagMismatch, e.Failure);

        var unknown = SealedObjectWriter.Seal(plaintext, ObjectPath, SingleDataKey.KeyringVersion, 99, _keys.Key, Chunk);
        e = await AssertRejectedAsync(unknown, ObjectPath, plaintext);
        Assert.Equal(SealedObjectFailure.UnknownDataKey, e.Failure);
    }

    [Fact]
    public async Task Bad_magic_and_unsupported_version_are_named()
    {
        var stored = Seal(_keys, Bytes(10), Chunk);
        var badMagic = (byte[])stored.Clone();
        badMagic[0] = (byte)'N';
        var e = await AssertRejectedAsync(badMagic, ObjectPath, Bytes(10));
        Assert.Equal(SealedObjectFailure.BadMagic, e.Failure);
        Assert.Contains("bad magic", e.Message, StringComparison.Ordinal);

        var v2 = (byte[])stored.Clone();
        v2[5] = 2;
        e = await AssertRejectedAsync(v2, ObjectPath, Bytes(10));
        Assert.Equal(SealedObjectFailure.UnsupportedVersion, e.Failure);
        Assert.Contains("unsupported format version 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_unseal_clears_the_destination()
    {
        var plaintext = Bytes(3 * Chunk);
        var stored = Seal(_keys, plaintext, Chunk);
        stored[^1] ^= 0x80; // tag of the final chunk
        var destination = new byte[plaintext.Length];
        var e = Assert.Throws<SealedObjectIntegrityException>(() => SealedObjectReader.Unseal(stored, destination, ObjectPath, _keys.Key));
        Assert.Equal(2, e.ChunkIndex);
        Assert.All(destination, b => Assert.Equal(0, b));
    }

    /// <summary>
    /// Asserts every reader rejects <paramref name="stored"/> at <paramref name="path"/> with the path in the
    /// message; the streaming reader may only have yielded authentic whole chunks before the failing one.
    /// </summary>
    private async Task<SealedObjectIntegrityException> AssertRejectedAsync(byte[] stored, string path, byte[] plaintext, IDataKeySource? keys = null)
    {
        keys ??= _keys;
        var whole = await Assert.ThrowsAsync<SealedObjectIntegrityException>(() => SealedObjectReader.UnsealAsync(stored, path, keys).AsTask());
        Assert.Contains(path, whole.Message, StringComparison.Ordinal);

        foreach (var stream in new Stream[] { new MemoryStream(stored), new NonSeekableStream(stored) })
        {
            var (delivered, failure) = await ReadStreamAsync(stream, path, keys);
            var e = Assert.IsType<SealedObjectIntegrityException>(failure);
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.True(delivered.Length % Chunk == 0, "only whole authenticated chunks are released");
            Assert.True(delivered.AsSpan().SequenceEqual(plaintext.AsSpan(0, delivered.Length)), "released bytes are authentic");
            if (e.ChunkIndex is { } chunk)
            {
                Assert.True(delivered.Length <= chunk * Chunk, "nothing of the failing chunk is released");
            }
        }

        var rangeFailure = await Record.ExceptionAsync(() => ReadRangeAsync(stored, path, keys));
        var r = Assert.IsType<SealedObjectIntegrityException>(rangeFailure);
        Assert.Contains(path, r.Message, StringComparison.Ordinal);
        return whole;
    }
}
