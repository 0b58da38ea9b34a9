using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;

namespace Moat.Storage.Sealing;

/// <summary>
/// Reads sealed objects (DESIGN section 6). Three ways in:
/// <list type="bullet">
/// <item><see cref="UnsealAsync(ReadOnlyMemory{byte}, string, IDataKeySource, CancellationToken)"/>:
/// a whole object in memory, all or nothing.</item>
/// <item><see cref="OpenStreamAsync"/>: a whole object from a stream, chunk by chunk
/// (guarantee on <see cref="SealedObjectReadStream"/>).</item>
/// <item><see cref="OpenAsync(IRangeSource, string, IDataKeySource, CancellationToken)"/> then
/// <see cref="ReadAsync"/>: plaintext ranges, fetching and authenticating only the chunks they touch.</item>
/// </list>
/// No reader ever returns plaintext of a chunk that did not authenticate; a failure is a
/// <see cref="SealedObjectIntegrityException"/> naming the path, and the caller's destination
/// range is cleared.
/// </summary>
public sealed class SealedObjectReader : IDisposable
{
    /// <summary>Largest single fetch a range read makes (whole chunks; at least one chunk).</summary>
    public const int MaxFetchBytes = 8 * 1024 * 1024;

    private readonly IRangeSource _source;
    private readonly SealedChunkCipher _cipher;
    private byte[]? _scratch;
    private bool _disposed;

    private SealedObjectReader(IRangeSource source, SealedObjectHeader header, SealedChunkCipher cipher)
    {
        _source = source;
        Header = header;
        _cipher = cipher;
    }

    /// <summary>The object's header (authenticated only together with a chunk).</summary>
    public SealedObjectHeader Header { get; }

    /// <summary>Plaintext length, as the header declares it.</summary>
    public long Length => Header.PlaintextLength;

    /// <summary>The object path this reader verifies against.</summary>
    public string Path => _cipher.Path;

    /// <summary>Opens an object for range reads: fetches and parses the header, resolves the DEK.</summary>
    public static async ValueTask<SealedObjectReader> OpenAsync(IRangeSource source, string path, IDataKeySource keys,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(keys);
        var first = await source.ReadAsync(0, SealedObjectFormat.MaxHeaderSize, cancellationToken).ConfigureAwait(false);
        CheckFetch(first.Length, SealedObjectFormat.MaxHeaderSize);
        var header = SealedObjectHeader.Parse(first.Span, path);
        var cipher = await CreateCipherAsync(header, path, keys, cancellationToken).ConfigureAwait(false);
        return new SealedObjectReader(source, header, cipher);
    }

    /// <inheritdoc cref="OpenAsync(IRangeSource, string, IDataKeySource, CancellationToken)"/>
    public static ValueTask<SealedObjectReader> OpenAsync(Func<long, int, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> fetch,
        string path, IDataKeySource keys, CancellationToken cancellationToken = default) =>
        OpenAsync(RangeSource.FromDelegate(fetch), path, keys, cancellationToken);

    /// <summary>
    /// Opens a stream that yields the plaintext of the sealed object read from <paramref name="stored"/>.
    /// Reads and checks the header and resolves the DEK before returning.
    /// </summary>
    public static ValueTask<SealedObjectReadStream> OpenStreamAsync(Stream stored, string path, IDataKeySource keys,
        bool leaveOpen = false, CancellationToken cancellationToken = default) =>
        SealedObjectReadStream.OpenAsync(stored, path, keys, leaveOpen, cancellationToken);

    /// <summary>Unseals a whole object held in memory. All or nothing: every chunk authenticates, or it throws.</summary>
    public static async ValueTask<byte[]> UnsealAsync(ReadOnlyMemory<byte> stored, string path, IDataKeySource keys,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var header = ParseWhole(stored.Span, path);
        if (header.PlaintextLength > Array.MaxLength)
        {
            throw new InvalidOperationException("The object is too large to unseal into one array; use OpenStreamAsync.");
        }

        using var cipher = await CreateCipherAsync(header, path, keys, cancellationToken).ConfigureAwait(false);
        var plaintext = new byte[header.PlaintextLength];
        OpenAll(header, cipher, stored.Span, plaintext);
        return plaintext;
    }

    /// <summary>
    /// Unseals a whole object held in memory into <paramref name="destination"/>; returns the plaintext
    /// length. All or nothing: on failure the destination range is cleared.
    /// </summary>
    public static async ValueTask<int> UnsealAsync(ReadOnlyMemory<byte> stored, Memory<byte> destination, string path,
        IDataKeySource keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var header = ParseWhole(stored.Span, path);
        CheckDestination(header, destination.Length);
        using var cipher = await CreateCipherAsync(header, path, keys, cancellationToken).ConfigureAwait(false);
        OpenAll(header, cipher, stored.Span, destination.Span);
        return (int)header.PlaintextLength;
    }

    /// <summary>
    /// Unseals with a DEK the caller already resolved from <see cref="SealedObjectHeader.Parse"/>
    /// (keyring version and DEK id). A wrong DEK fails as a tag mismatch at chunk 0. All or nothing.
    /// </summary>
    public static int Unseal(ReadOnlySpan<byte> stored, Span<byte> destination, string path, ReadOnlySpan<byte> dataKey)
    {
        var header = ParseWhole(stored, path);
        CheckDestination(header, destination.Length);
        using var cipher = SealedChunkCipher.Create(header, dataKey, path);
        OpenAll(header, cipher, stored, destination);
        return (int)header.PlaintextLength;
    }

    /// <summary>
    /// Reads plaintext [<paramref name="offset"/>, <paramref name="offset"/> + n) into
    /// <paramref name="destination"/>, n = min(destination length, <see cref="Length"/> − offset).
    /// Fetches only the chunks that range touches (contiguous chunks in one fetch of up to
    /// <see cref="MaxFetchBytes"/>) and authenticates each before releasing any of its bytes. Chunks
    /// outside the range are neither fetched nor checked (so trailing data, and truncation past the
    /// range, are not seen). Reading an empty object fetches and verifies its one (empty) final chunk.
    /// On failure the destination range is cleared.
    /// </summary>
    /// <returns>n, the number of plaintext bytes written.</returns>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length);
        var count = (int)Math.Min(destination.Length, Length - offset);
        if (count == 0 && Length > 0)
        {
            return 0;
        }

        destination = destination[..count];
        var chunkSize = Header.ChunkSize;
        var first = offset / chunkSize;
        var last = count == 0 ? 0 : (offset + count - 1) / chunkSize; // an empty object: still verify its final chunk
        try
        {
            for (var batchStart = first; batchStart <= last;)
            {
                var batchEnd = batchStart;
                var bytes = Header.GetStoredChunkLength(batchStart);
                while (batchEnd < last && bytes + Header.GetStoredChunkLength(batchEnd + 1) <= MaxFetchBytes)
                {
                    batchEnd++;
                    bytes += Header.GetStoredChunkLength(batchEnd);
                }

                var fetched = await _source.ReadAsync(Header.GetChunkOffset(batchStart), bytes, cancellationToken).ConfigureAwait(false);
                CheckFetch(fetched.Length, bytes);
                OpenBatch(fetched.Span, batchStart, batchEnd, offset, destination.Span);
                batchStart = batchEnd + 1;
            }
        }
        catch
        {
            CryptographicOperations.ZeroMemory(destination.Span);
            throw;
        }

        return count;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _cipher.Dispose();
        if (_scratch is not null)
        {
            CryptographicOperations.ZeroMemory(_scratch);
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = null;
        }
    }

    internal static async ValueTask<SealedChunkCipher> CreateCipherAsync(SealedObjectHeader header, string path, IDataKeySource keys,
        CancellationToken cancellationToken)
    {
        var dataKey = await keys.GetDataKeyAsync(header.KeyringVersion, header.DekId, cancellationToken).ConfigureAwait(false);
        if (dataKey is null)
        {
            throw new SealedObjectIntegrityException(path, SealedObjectFailure.UnknownDataKey,
                string.Create(CultureInfo.InvariantCulture,
                    $"the header names keyring version {header.KeyringVersion}, DEK {header.DekId}, which the namespace's keyring does not hold"));
        }

        return SealedChunkCipher.Create(header, dataKey.Value.Span, path);
    }

    /// <summary>Decrypts chunks [first, last] of one fetch, copying the part of each that the range needs.</summary>
    private void OpenBatch(ReadOnlySpan<byte> fetched, long firstChunk, long lastChunk, long offset, Span<byte> destination)
    {
        var chunkSize = (long)Header.ChunkSize;
        var end = offset + destination.Length;
        var position = 0;
        for (var i = firstChunk; i <= lastChunk; i++)
        {
            var plainLength = Header.GetChunkPlaintextLength(i);
            if (fetched.Length - position < plainLength + SealedObjectFormat.TagSize)
            {
                throw SealedObjectIntegrityException.Truncated(Path, i);
            }

            var stored = fetched.Slice(position, plainLength + SealedObjectFormat.TagSize);
            position += stored.Length;

            var chunkStart = i * chunkSize;
            var from = Math.Max(offset, chunkStart);
            var to = Math.Min(end, chunkStart + plainLength);
            var target = destination.Slice((int)(from - offset), (int)(to - from));
            if (from == chunkStart && to == chunkStart + plainLength)
            {
                _cipher.Open(i, stored, target);
                continue;
            }

            _scratch ??= ArrayPool<byte>.Shared.Rent(Header.ChunkSize);
            var plain = _scratch.AsSpan(0, plainLength);
            try
            {
                _cipher.Open(i, stored, plain);
                plain.Slice((int)(from - chunkStart), target.Length).CopyTo(target);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plain);
            }
        }
    }

    private static void OpenAll(SealedObjectHeader header, SealedChunkCipher cipher, ReadOnlySpan<byte> stored, Span<byte> destination)
    {
        var plaintext = destination[..(int)header.PlaintextLength];
        try
        {
            var input = header.Size;
            var output = 0;
            for (long i = 0; i < header.ChunkCount; i++)
            {
                var length = header.GetChunkPlaintextLength(i);
                cipher.Open(i, stored.Slice(input, length + SealedObjectFormat.TagSize), plaintext.Slice(output, length));
                input += length + SealedObjectFormat.TagSize;
                output += length;
            }
        }
        catch
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw;
        }
    }

    /// <summary>Parses the header and checks the stored length before any decryption.</summary>
    private static SealedObjectHeader ParseWhole(ReadOnlySpan<byte> stored, string path)
    {
        var header = SealedObjectHeader.Parse(stored, path);
        if (stored.Length != header.SealedLength)
        {
            throw SealedObjectIntegrityException.LengthMismatch(path, header.SealedLength, stored.Length);
        }

        return header;
    }

    private static void CheckDestination(SealedObjectHeader header, int length)
    {
        if (length < header.PlaintextLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The destination holds {length} bytes; the plaintext is {header.PlaintextLength}."), "destination");
        }
    }

    private static void CheckFetch(int got, int asked)
    {
        if (got > asked)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The range source returned {got} bytes for a request of {asked}."));
        }
    }
}
