using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;

namespace Moat.Storage.Sealing;

/// <summary>
/// Seals an object chunk by chunk into an output stream (DESIGN section 6). A write-only stream:
/// write exactly the declared plaintext length, then <see cref="Complete"/> (or
/// <see cref="CompleteAsync"/>). The length is declared up front because it is part of the
/// authenticated header; a writer disposed short of it leaves an object every reader rejects as
/// truncated.
/// </summary>
/// <remarks>
/// Each chunk is sealed and written as soon as its last byte arrives: memory use is one chunk,
/// whatever the object size. Whole chunks passed in one write are encrypted straight from the
/// caller's buffer. No allocation per chunk: one pooled buffer and one AesGcm per object.
/// </remarks>
public sealed class SealedObjectWriter : Stream
{
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly SealedChunkCipher _cipher;
    private readonly int _headerSize;
    private byte[]? _buffer;
    private long _written;
    private long _nextChunk;
    private int _filled;
    private int _pendingLength;
    private bool _headerEmitted;
    private bool _finished;
    private bool _faulted;

    /// <summary>Starts sealing an object of <paramref name="plaintextLength"/> bytes stored at <paramref name="path"/>.</summary>
    /// <param name="output">Receives the sealed bytes (header, then chunks).</param>
    /// <param name="path">The object's storage path; bound into the per-object key.</param>
    /// <param name="keyringVersion">The keyring version that holds the DEK.</param>
    /// <param name="dekId">The DEK's id in that keyring.</param>
    /// <param name="dataKey">The 32-byte DEK; not kept (only the derived per-object key lives in AesGcm).</param>
    /// <param name="plaintextLength">Exact number of plaintext bytes that will be written.</param>
    /// <param name="chunkSize">Plaintext bytes per chunk, 4 KiB to 16 MiB.</param>
    /// <param name="leaveOpen">Leave <paramref name="output"/> open on dispose.</param>
    public SealedObjectWriter(Stream output, string path, long keyringVersion, uint dekId, ReadOnlySpan<byte> dataKey,
        long plaintextLength, int chunkSize = SealedObjectFormat.DefaultChunkSize, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(path);
        if (!output.CanWrite)
        {
            throw new ArgumentException("The output stream is not writable.", nameof(output));
        }

        Header = SealedObjectHeader.Create(keyringVersion, dekId, plaintextLength, chunkSize);
        _cipher = SealedChunkCipher.Create(Header, dataKey, path);
        _output = output;
        _leaveOpen = leaveOpen;
        _headerSize = Header.Size;
        var largestChunk = Header.GetStoredChunkLength(0);
        _buffer = ArrayPool<byte>.Shared.Rent(_headerSize + largestChunk);
        Header.Bytes.CopyTo(_buffer);
    }

    /// <summary>The header being written (fresh salt and nonce prefix).</summary>
    public SealedObjectHeader Header { get; }

    /// <summary>True once the final chunk has been written.</summary>
    public bool IsCompleted => _finished;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => _buffer is not null;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Seals <paramref name="plaintext"/> in one go. Returns the whole sealed object.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> plaintext, string path, long keyringVersion, uint dekId,
        ReadOnlySpan<byte> dataKey, int chunkSize = SealedObjectFormat.DefaultChunkSize)
    {
        var sealedObject = new byte[SealedObjectFormat.GetSealedLength(plaintext.Length, chunkSize)];
        Seal(plaintext, sealedObject, path, keyringVersion, dekId, dataKey, chunkSize);
        return sealedObject;
    }

    /// <summary>
    /// Seals <paramref name="plaintext"/> into <paramref name="destination"/> (at least
    /// <see cref="SealedObjectFormat.GetSealedLength"/> bytes, not overlapping the plaintext),
    /// encrypting straight from source to destination. Returns the bytes written.
    /// </summary>
    public static int Seal(ReadOnlySpan<byte> plaintext, Span<byte> destination, string path, long keyringVersion,
        uint dekId, ReadOnlySpan<byte> dataKey, int chunkSize = SealedObjectFormat.DefaultChunkSize)
    {
        var header = SealedObjectHeader.Create(keyringVersion, dekId, plaintext.Length, chunkSize);
        if (destination.Length < header.SealedLength)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The destination holds {destination.Length} bytes; the sealed object needs {header.SealedLength}."),
                nameof(destination));
        }

        if (plaintext.Overlaps(destination))
        {
            throw new ArgumentException("The destination overlaps the plaintext.", nameof(destination));
        }

        using var cipher = SealedChunkCipher.Create(header, dataKey, path);
        header.Bytes.CopyTo(destination);
        var output = header.Size;
        var input = 0;
        for (long i = 0; i < header.ChunkCount; i++)
        {
            var length = header.GetChunkPlaintextLength(i);
            cipher.Seal(i, plaintext.Slice(input, length), destination.Slice(output, length + SealedObjectFormat.TagSize));
            input += length;
            output += length + SealedObjectFormat.TagSize;
        }

        return output;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        CheckWritable(buffer.Length);
        try
        {
            while (!buffer.IsEmpty)
            {
                var consumed = Accept(buffer);
                buffer = buffer[consumed..];
                if (_pendingLength > 0)
                {
                    EmitPending();
                }
            }
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        CheckWritable(buffer.Length);
        try
        {
            while (!buffer.IsEmpty)
            {
                var consumed = Accept(buffer.Span);
                buffer = buffer[consumed..];
                if (_pendingLength > 0)
                {
                    await EmitPendingAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Checks that the declared length was written, writes the final chunk if still due, flushes.</summary>
    /// <exception cref="InvalidOperationException">Fewer bytes were written than declared.</exception>
    public void Complete()
    {
        CheckCompletable();
        if (!_finished)
        {
            SealFinalEmptyChunk();
            EmitPending();
        }

        _output.Flush();
    }

    /// <inheritdoc cref="Complete"/>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        CheckCompletable();
        if (!_finished)
        {
            SealFinalEmptyChunk();
            await EmitPendingAsync(cancellationToken).ConfigureAwait(false);
        }

        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Flushes the output. Bytes of an unfinished chunk stay buffered until the chunk is full.</summary>
    public override void Flush() => _output.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_buffer is not null)
        {
            try
            {
                if (!_faulted && !_finished && _written == Header.PlaintextLength)
                {
                    await CompleteAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                Release();
                if (!_leaveOpen)
                {
                    await _output.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer is not null)
        {
            try
            {
                if (!_faulted && !_finished && _written == Header.PlaintextLength)
                {
                    Complete();
                }
            }
            finally
            {
                Release();
                if (!_leaveOpen)
                {
                    _output.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Takes plaintext into the current chunk; seals the chunk when it is full. Returns bytes consumed.</summary>
    private int Accept(ReadOnlySpan<byte> data)
    {
        var chunkLength = Header.GetChunkPlaintextLength(_nextChunk);
        var chunk = _buffer.AsSpan(_headerSize, chunkLength + SealedObjectFormat.TagSize);
        if (_filled == 0 && data.Length >= chunkLength)
        {
            // A whole chunk in the caller's buffer: encrypt it straight into the output buffer.
            _cipher.Seal(_nextChunk, data[..chunkLength], chunk);
            _written += chunkLength;
            _pendingLength = chunk.Length;
            return chunkLength;
        }

        var take = Math.Min(chunkLength - _filled, data.Length);
        data[..take].CopyTo(chunk[_filled..]);
        _filled += take;
        _written += take;
        if (_filled == chunkLength)
        {
            _cipher.Seal(_nextChunk, chunk[..chunkLength], chunk);
            _pendingLength = chunk.Length;
        }

        return take;
    }

    private void SealFinalEmptyChunk()
    {
        // Only an empty object reaches completion without its final chunk sealed.
        _cipher.Seal(_nextChunk, ReadOnlySpan<byte>.Empty, _buffer.AsSpan(_headerSize, SealedObjectFormat.TagSize));
        _pendingLength = SealedObjectFormat.TagSize;
    }

    private (int Offset, int Count) PendingRange() =>
        _headerEmitted ? (_headerSize, _pendingLength) : (0, _headerSize + _pendingLength);

    private void EmitPending()
    {
        var (offset, count) = PendingRange();
        _output.Write(_buffer!, offset, count);
        ChunkEmitted();
    }

    private async ValueTask EmitPendingAsync(CancellationToken cancellationToken)
    {
        var (offset, count) = PendingRange();
        await _output.WriteAsync(_buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false);
        ChunkEmitted();
    }

    private void ChunkEmitted()
    {
        _headerEmitted = true;
        _pendingLength = 0;
        _filled = 0;
        _nextChunk++;
        _finished = _nextChunk == Header.ChunkCount;
    }

    private void CheckWritable(int count)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (_faulted)
        {
            throw new InvalidOperationException("An earlier write failed; the sealed object is incomplete.");
        }

        if (count > Header.PlaintextLength - _written)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Writing {count} more bytes would exceed the declared plaintext length {Header.PlaintextLength} ({_written} written)."));
        }
    }

    private void CheckCompletable()
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (_faulted)
        {
            throw new InvalidOperationException("An earlier write failed; the sealed object is incomplete.");
        }

        if (_written != Header.PlaintextLength)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Only {_written} of the declared {Header.PlaintextLength} plaintext bytes were written; the object is incomplete."));
        }
    }

    private void Release()
    {
        var buffer = _buffer;
        _buffer = null;
        if (buffer is not null)
        {
            // The buffer held plaintext: clear it before it goes back to the pool.
            CryptographicOperations.ZeroMemory(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _cipher.Dispose();
    }
}
