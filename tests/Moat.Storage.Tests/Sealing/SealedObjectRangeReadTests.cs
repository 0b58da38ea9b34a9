using Moat.Storage.Sealing;
using static Moat.Storage.Tests.Sealing.SealingFixtures;

namespace Moat.Storage.Tests.Sealing;

public class SealedObjectRangeReadTests
{
    private const int Chunk = 4096;
    private const int StoredChunk = Chunk + 16;
    private const int HeaderSize = 69;
    private readonly SingleDataKey _keys = new();

    [Fact]
    public async Task A_range_across_a_chunk_border_fetches_the_header_and_exactly_the_two_chunks()
    {
        var plaintext = Bytes(10 * Chunk + 123);
        var source = new CountingRangeSource(Seal(_keys, plaintext, Chunk));
        using var reader = await SealedObjectReader.OpenAsync(source, ObjectPath, _keys);
        var destination = new byte[200];

        Assert.Equal(200, await reader.ReadAsync((3 * Chunk) - 100, destination));

        Assert.Equal(plaintext.AsSpan((3 * Chunk) - 100, 200).ToArray(), destination);
        Assert.Equal([(0L, HeaderSize), (HeaderSize + (2L * StoredChunk), 2 * StoredChunk)], source.Fetches);
    }

    [Fact]
    public async Task A_range_inside_one_chunk_fetches_only_that_chunk()
    {
        var plaintext = Bytes(10 * Chunk + 123);
        var source = new CountingRangeSource(Seal(_keys, plaintext, Chunk));
        using var reader = await SealedObjectReader.OpenAsync(source, ObjectPath, _keys);
        source.Fetches.Clear();

        var destination = new byte[10];
        await reader.ReadAsync((5 * Chunk) + 7, destination);
        Assert.Equal(plaintext.AsSpan((5 * Chunk) + 7, 10).ToArray(), destination);
        Assert.Equal([(HeaderSize + (5L * StoredChunk), StoredChunk)], source.Fetches);

        // The short final chunk.
        source.Fetches.Clear();
        var tail = new byte[500];
        Assert.Equal(123, await reader.ReadAsync(10 * Chunk, tail));
        Assert.Equal(plaintext.AsSpan(10 * Chunk).ToArray(), tail[..123]);
        Assert.Equal([(HeaderSize + (10L * StoredChunk), 123 + 16)], source.Fetches);
    }

    [Fact]
    public async Task Ranges_clamp_at_the_end_and_reject_offsets_past_it()
    {
        var plaintext = Bytes(Chunk + 5);
        using var reader = await SealedObjectReader.OpenAsync(RangeSource.FromMemory(Seal(_keys, plaintext, Chunk)), ObjectPath, _keys);
        Assert.Equal(0, await reader.ReadAsync(plaintext.Length, new byte[10]));
        Assert.Equal(5, await reader.ReadAsync(Chunk, new byte[10]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.ReadAsync(plaintext.Length + 1, new byte[1]).AsTask());
    }

    [Fact]
    public async Task Large_ranges_are_fetched_in_bounded_batches_of_whole_chunks()
    {
        const int chunk = 64 * 1024;
        var plaintext = Bytes(20 * 1024 * 1024);
        var stored = Seal(_keys, plaintext, chunk);
        var source = new CountingRangeSource(stored);
        using var reader = await SealedObjectReader.OpenAsync(source, ObjectPath, _keys);
        source.Fetches.Clear();

        var destination = new byte[plaintext.Length];
        await reader.ReadAsync(0, destination);

        Assert.Equal(plaintext, destination);
        Assert.All(source.Fetches, f => Assert.True(f.Length <= SealedObjectReader.MaxFetchBytes));
        Assert.All(source.Fetches, f => Assert.Equal(0, f.Length % (chunk + 16)));
        Assert.Equal(stored.Length - HeaderSize, source.BytesFetched);
        Assert.Equal(3, source.Fetches.Count);
    }

    [Fact]
    public async Task Only_the_chunks_a_range_touches_are_authenticated()
    {
        var plaintext = Bytes(10 * Chunk);
        var stored = Seal(_keys, plaintext, Chunk);
        stored[HeaderSize + (5 * StoredChunk) + 10] ^= 1; // tamper chunk 5
        using var reader = await SealedObjectReader.OpenAsync(RangeSource.FromMemory(stored), ObjectPath, _keys);

        var ok = new byte[Chunk];
        await reader.ReadAsync(2 * Chunk, ok);
        Assert.Equal(plaintext.AsSpan(2 * Chunk, Chunk).ToArray(), ok);

        // A range spanning chunks 4..6: chunk 4 authenticates, chunk 5 fails; nothing is left in the destination.
        var destination = new byte[2 * Chunk];
        var e = await Assert.ThrowsAsync<SealedObjectIntegrityException>(() => reader.ReadAsync((4 * Chunk) + 100, destination).AsTask());
        Assert.Equal(5, e.ChunkIndex);
        Assert.Contains(ObjectPath, e.Message, StringComparison.Ordinal);
        Assert.All(destination, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task A_truncated_object_fails_when_a_range_reaches_the_missing_chunk()
    {
        var plaintext = Bytes(4 * Chunk);
        var stored = Seal(_keys, plaintext, Chunk)[..^(StoredChunk + 1)];
        using var reader = await SealedObjectReader.OpenAsync(RangeSource.FromMemory(stored), ObjectPath, _keys);
        var e = await Assert.ThrowsAsync<SealedObjectIntegrityException>(() => reader.ReadAsync(3 * Chunk, new byte[10]).AsTask());
        Assert.Equal(SealedObjectFailure.Truncated, e.Failure);
        Assert.Equal(3, e.ChunkIndex);
    }

    [Fact]
    public async Task A_fetch_delegate_works_as_a_range_source()
    {
        var plaintext = Bytes(3 * Chunk);
        var stored = Seal(_keys, plaintext, Chunk);
        var calls = 0;
        using var reader = await SealedObjectReader.OpenAsync(
            (offset, length, _) =>
            {
                calls++;
                return ValueTask.FromResult<ReadOnlyMemory<byte>>(stored.AsMemory((int)offset, Math.Min(length, stored.Length - (int)offset)));
            },
            ObjectPath, _keys);
        var destination = new byte[Chunk];
        await reader.ReadAsync(Chunk, destination);
        Assert.Equal(plaintext.AsSpan(Chunk, Chunk).ToArray(), destination);
        Assert.Equal(2, calls);
    }
}
