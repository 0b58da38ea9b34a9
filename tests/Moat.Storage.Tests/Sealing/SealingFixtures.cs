using System.Security.Cryptography;
using Moat.Storage.Sealing;

namespace Moat.Storage.Tests.Sealing;

/// <summary>A key source holding one DEK (keyring version 3, DEK 7), as a keyring would.</summary>
internal sealed class SingleDataKey : IDataKeySource
{
    public const long KeyringVersion = 3;
    public const uint DekId = 7;

    public byte[] Key { get; } = RandomNumberGenerator.GetBytes(32);

    public ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ReadOnlyMemory<byte>?>(keyringVersion == KeyringVersion && dekId == DekId ? new ReadOnlyMemory<byte>(Key) : (ReadOnlyMemory<byte>?)null);
}

/// <summary>Records every fetch a range reader makes.</summary>
internal sealed class CountingRangeSource(byte[] stored) : IRangeSource
{
    private readonly IRangeSource _inner = RangeSource.FromMemory(stored);

    public List<(long Offset, int Length)> Fetches { get; } = [];

    public long BytesFetched => Fetches.Sum(f => (long)f.Length);

    public ValueTask<ReadOnlyMemory<byte>> ReadAsync(long offset, int length, CancellationToken cancellationToken)
    {
        Fetches.Add((offset, length));
        return _inner.ReadAsync(offset, length, cancellationToken);
    }
}

/// <summary>A stream that hides its length: readers must find truncation and trailing data the hard way.</summary>
internal sealed class NonSeekableStream(byte[] data) : Stream
{
    private readonly MemoryStream _inner = new(data, writable: false);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    // Hand out at most 1000 bytes per read, like a network stream.
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

internal static class SealingFixtures
{
    public const string ObjectPath = "v1/ns/ns-test/seg/segment-0001";

    /// <summary>Deterministic pseudo-random bytes (xorshift; no System.Random in this repo).</summary>
    public static byte[] Bytes(int length, ulong seed = 0x9E3779B97F4A7C15)
    {
        var data = new byte[length];
        var x = seed | 1;
        for (var i = 0; i < length; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            data[i] = (byte)x;
        }

        return data;
    }

    public static byte[] Seal(SingleDataKey keys, byte[] plaintext, int chunkSize, string path = ObjectPath) =>
        SealedObjectWriter.Seal(plaintext, path, SingleDataKey.KeyringVersion, SingleDataKey.DekId, keys.Key, chunkSize);

    /// <summary>Reads a whole object through the streaming reader; returns what it yielded before any failure.</summary>
    public static async Task<(byte[] Delivered, Exception? Failure)> ReadStreamAsync(Stream stored, string path, IDataKeySource keys)
    {
        var delivered = new MemoryStream();
        try
        {
            await using var reader = await SealedObjectReader.OpenStreamAsync(stored, path, keys);
            var buffer = new byte[5000];
            int n;
            while ((n = await reader.ReadAsync(buffer)) > 0)
            {
                delivered.Write(buffer, 0, n);
            }

            return (delivered.ToArray(), null);
        }
        catch (Exception e) when (e is SealedObjectIntegrityException)
        {
            return (delivered.ToArray(), e);
        }
    }

    /// <summary>Reads [offset, offset + count) through the range reader (by default up to 64 MiB from offset).</summary>
    public static async Task<byte[]> ReadRangeAsync(byte[] stored, string path, IDataKeySource keys, long offset = 0, int? count = null)
    {
        using var reader = await SealedObjectReader.OpenAsync(RangeSource.FromMemory(stored), path, keys);
        var destination = new byte[count ?? (int)Math.Min(reader.Length - offset, 64 * 1024 * 1024)];
        var n = await reader.ReadAsync(offset, destination);
        return destination[..n];
    }
}
