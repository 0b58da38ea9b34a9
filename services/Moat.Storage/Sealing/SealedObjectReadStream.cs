using System.Buffers;
using System.Security.Cryptography;

namespace Moat.Storage.Sealing;

/// <summary>
/// A read-only stream of a sealed object's plaintext, read chunk by chunk from the stored bytes.
/// Open it with <see cref="SealedObjectReader.OpenStreamAsync"/>.
/// </summary>
/// <remarks>
/// <para>Guarantee, precisely:</para>
/// <list type="number">
/// <item>No byte of a chunk is returned before that whole chunk has been read and its tag verified
/// (the tag also covers the header hash, the object path through the key, the chunk's index and
/// whether it is the final chunk).</item>
/// <item>When the stored stream is seekable, its length is checked against the header before the
/// first byte of plaintext is returned, so truncation and trailing data fail before any plaintext
/// is released.</item>
/// <item>The final chunk's plaintext is released only after its tag verified and the stored stream
/// was found to end exactly there; so a read returns 0 (end of stream) only when every chunk
/// authenticated in order and nothing trails the object.</item>
/// <item>On a non-seekable stream, a truncation or tamper in chunk N is found when chunk N is
/// reached: the reader may already have returned the authentic plaintext of chunks 0..N-1. A
/// consumer that must act on the whole object or not at all reads to end of stream before acting
/// (or uses <see cref="SealedObjectReader.UnsealAsync(ReadOnlyMemory{byte}, string, IDataKeySource, CancellationToken)"/>).</item>
/// <item>After a failure every further read throws the same exception.</item>
/// </list>
/// </remarks>
public sealed class SealedObjectReadStream : Stream
{
    private readonly Stream _stored;
    private readonly bool _leaveOpen;
    private readonly SealedChunkCipher _cipher;
    private byte[]? _buffer;
    private int _plainOffset;
    private int _plainEnd;
    private long _nextChunk;
    private SealedObjectIntegrityException? _fault;

    private SealedObjectReadStream(Stream stored, bool leaveOpen, SealedObjectHeader header, SealedChunkCipher cipher)
    {
        _stored = stored;
        _leaveOpen = leaveOpen;
        Header = header;
        _cipher = cipher;
        // One stored chunk plus one byte to probe for trailing data after the final chunk.
        _buffer = ArrayPool<byte>.Shared.Rent(header.GetStoredChunkLength(0) + 1);
    }

    /// <summary>The object's header.</summary>
    public SealedObjectHeader Header { get; }

    public override bool CanRead => _buffer is not null;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    internal static async ValueTask<SealedObjectReadStream> OpenAsync(Stream stored, string path, IDataKeySource keys, bool leaveOpen,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(keys);
        var start = stored.CanSeek ? stored.Position : 0;
        var headerBytes = new byte[SealedObjectFormat.MaxHeaderSize];
        var got = await stored.ReadAtLeastAsync(headerBytes.AsMemory(0, SealedObjectFormat.PreambleSize),
            SealedObjectFormat.PreambleSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var version = SealedObjectHeader.ReadPreamble(headerBytes.AsSpan(0, got), path);
        var size = SealedObjectFormat.HeaderSize(version);
        got += await stored.ReadAtLeastAsync(headerBytes.AsMemory(got, size - got), size - got, throwOnEndOfStream: false,
            cancellationToken).ConfigureAwait(false);
        var header = SealedObjectHeader.Parse(headerBytes.AsSpan(0, got), path);

        if (stored.CanSeek && stored.Length - start != header.SealedLength)
        {
            throw SealedObjectIntegrityException.LengthMismatch(path, header.SealedLength, stored.Length - start);
        }

        var cipher = await SealedObjectReader.CreateCipherAsync(header, path, keys, cancellationToken).ConfigureAwait(false);
        return new SealedObjectReadStream(stored, leaveOpen, header, cipher);
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (_fault is not null)
        {
            throw _fault;
        }

        while (!buffer.IsEmpty)
        {
            if (_plainOffset < _plainEnd)
            {
                return CopyOut(buffer);
            }

            if (_nextChunk == Header.ChunkCount)
            {
                return 0;
            }

            var storedLength = Header.GetStoredChunkLength(_nextChunk);
            var got = _stored.ReadAtLeast(_buffer.AsSpan(0, storedLength), storedLength, throwOnEndOfStream: false);
            var trailing = got == storedLength && IsFinal(_nextChunk) && _stored.Read(_buffer.AsSpan(storedLength, 1)) > 0;
            var delivered = OpenChunk(got, trailing, buffer);
            if (delivered > 0)
            {
                return delivered;
            }
        }

        return 0;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (_fault is not null)
        {
            throw _fault;
        }

        while (!buffer.IsEmpty)
        {
            if (_plainOffset < _plainEnd)
            {
                return CopyOut(buffer.Span);
            }

            if (_nextChunk == Header.ChunkCount)
            {
                return 0;
            }

            var storedLength = Header.GetStoredChunkLength(_nextChunk);
            var got = await _stored.ReadAtLeastAsync(_buffer.AsMemory(0, storedLength), storedLength, throwOnEndOfStream: false,
                cancellationToken).ConfigureAwait(false);
            var trailing = got == storedLength && IsFinal(_nextChunk)
                && await _stored.ReadAsync(_buffer.AsMemory(storedLength, 1), cancellationToken).ConfigureAwait(false) > 0;
            var delivered = OpenChunk(got, trailing, buffer.Span);
            if (delivered > 0)
            {
                return delivered;
            }
        }

        return 0;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer is not null)
        {
            CryptographicOperations.ZeroMemory(_buffer);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _cipher.Dispose();
            if (!_leaveOpen)
            {
                _stored.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private bool IsFinal(long index) => index == Header.ChunkCount - 1;

    /// <summary>
    /// Verifies the chunk just read into the buffer. Decrypts straight into <paramref name="destination"/>
    /// when the whole chunk fits there (returns its length); otherwise in place into the buffer
    /// (returns 0 and the plaintext is served from the buffer).
    /// </summary>
    private int OpenChunk(int got, bool trailing, Span<byte> destination)
    {
        var index = _nextChunk;
        var storedLength = Header.GetStoredChunkLength(index);
        var plainLength = storedLength - SealedObjectFormat.TagSize;
        try
        {
            if (got < storedLength)
            {
                throw SealedObjectIntegrityException.Truncated(_cipher.Path, index);
            }

            if (trailing)
            {
                throw SealedObjectIntegrityException.TrailingData(_cipher.Path, index);
            }

            var stored = _buffer.AsSpan(0, storedLength);
            _nextChunk++;
            if (plainLength > 0 && destination.Length >= plainLength)
            {
                _cipher.Open(index, stored, destination);
                return plainLength;
            }

            _cipher.Open(index, stored, stored);
            _plainOffset = 0;
            _plainEnd = plainLength;
            return 0;
        }
        catch (SealedObjectIntegrityException e)
        {
            _fault = e;
            _plainOffset = _plainEnd = 0;
            throw;
        }
    }

    private int CopyOut(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _plainEnd - _plainOffset);
        _buffer.AsSpan(_plainOffset, count).CopyTo(destination);
        _plainOffset += count;
        return count;
    }
}
