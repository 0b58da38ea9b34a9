using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Moat.Storage.Sealing;

/// <summary>
/// The header of a sealed object (DESIGN section 6; layout in docs/format.md). Immutable; keeps the
/// exact header bytes, whose SHA-256 is every chunk's associated data.
/// </summary>
/// <remarks>
/// Version 1 layout, big-endian: magic "MOAT" (4) · format version u16 · keyring version u64 ·
/// DEK id u32 · salt (32) · nonce prefix (7) · chunk size u32 · plaintext length u64 = 69 bytes.
/// </remarks>
public sealed class SealedObjectHeader
{
    private const int VersionOffset = 4;
    private const int KeyringVersionOffset = 6;
    private const int DekIdOffset = 14;
    private const int SaltOffset = 18;
    private const int NoncePrefixOffset = 50;
    private const int ChunkSizeOffset = 57;
    private const int PlaintextLengthOffset = 61;

    private readonly byte[] _bytes;

    private SealedObjectHeader(byte[] bytes, ushort formatVersion, long keyringVersion, uint dekId, int chunkSize, long plaintextLength)
    {
        _bytes = bytes;
        FormatVersion = formatVersion;
        KeyringVersion = keyringVersion;
        DekId = dekId;
        ChunkSize = chunkSize;
        PlaintextLength = plaintextLength;
        ChunkCount = SealedObjectFormat.GetChunkCount(plaintextLength, chunkSize);
        SealedLength = bytes.Length + plaintextLength + (SealedObjectFormat.TagSize * ChunkCount);
    }

    public ushort FormatVersion { get; }

    /// <summary>The keyring version that held the DEK when the object was sealed.</summary>
    public long KeyringVersion { get; }

    /// <summary>The DEK, by id within the namespace's keyring.</summary>
    public uint DekId { get; }

    /// <summary>HKDF salt of the per-object key: 32 random bytes.</summary>
    public ReadOnlySpan<byte> Salt => _bytes.AsSpan(SaltOffset, SealedObjectFormat.SaltSize);

    /// <summary>First 7 bytes of every chunk nonce: random per object.</summary>
    public ReadOnlySpan<byte> NoncePrefix => _bytes.AsSpan(NoncePrefixOffset, SealedObjectFormat.NoncePrefixSize);

    /// <summary>Plaintext bytes per chunk; the final chunk may be shorter (or empty).</summary>
    public int ChunkSize { get; }

    public long PlaintextLength { get; }

    /// <summary>Number of chunks, at least 1.</summary>
    public long ChunkCount { get; }

    /// <summary>Header size in bytes.</summary>
    public int Size => _bytes.Length;

    /// <summary>Total stored size of the object this header describes.</summary>
    public long SealedLength { get; }

    /// <summary>The exact header bytes as stored.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>A new current-version header with a fresh random salt and nonce prefix.</summary>
    public static SealedObjectHeader Create(long keyringVersion, uint dekId, long plaintextLength, int chunkSize = SealedObjectFormat.DefaultChunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keyringVersion, 1);
        ValidateLayout(chunkSize, plaintextLength);

        var bytes = new byte[SealedObjectFormat.V1HeaderSize];
        var span = bytes.AsSpan();
        SealedObjectFormat.Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16BigEndian(span[VersionOffset..], SealedObjectFormat.CurrentVersion);
        BinaryPrimitives.WriteUInt64BigEndian(span[KeyringVersionOffset..], (ulong)keyringVersion);
        BinaryPrimitives.WriteUInt32BigEndian(span[DekIdOffset..], dekId);
        HeaderRandomness.Fill(span.Slice(SaltOffset, SealedObjectFormat.SaltSize + SealedObjectFormat.NoncePrefixSize));
        BinaryPrimitives.WriteUInt32BigEndian(span[ChunkSizeOffset..], (uint)chunkSize);
        BinaryPrimitives.WriteUInt64BigEndian(span[PlaintextLengthOffset..], (ulong)plaintextLength);
        return new SealedObjectHeader(bytes, SealedObjectFormat.CurrentVersion, keyringVersion, dekId, chunkSize, plaintextLength);
    }

    /// <summary>
    /// Parses the header at the start of <paramref name="stored"/> (which may continue with chunks).
    /// Checks structure and ranges only: the header is authenticated by every chunk's tag.
    /// </summary>
    /// <exception cref="SealedObjectIntegrityException">Bad magic, unsupported version, truncated or out-of-range header.</exception>
    public static SealedObjectHeader Parse(ReadOnlySpan<byte> stored, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var version = ReadPreamble(stored, path);
        var size = SealedObjectFormat.HeaderSize(version);
        if (stored.Length < size)
        {
            throw SealedObjectIntegrityException.TruncatedHeader(path, stored.Length, size);
        }

        return version switch
        {
            1 => ParseV1(stored[..size], path),
            _ => throw new InvalidOperationException("unreachable: HeaderSize accepted the version"),
        };
    }

    /// <summary>Checks magic and version; returns the version. Needs <see cref="SealedObjectFormat.PreambleSize"/> bytes.</summary>
    internal static ushort ReadPreamble(ReadOnlySpan<byte> stored, string path)
    {
        if (stored.Length < SealedObjectFormat.PreambleSize)
        {
            if (!SealedObjectFormat.Magic.StartsWith(stored[..Math.Min(stored.Length, 4)]))
            {
                throw BadMagic(path);
            }

            throw SealedObjectIntegrityException.TruncatedHeader(path, stored.Length, SealedObjectFormat.PreambleSize);
        }

        if (!stored[..4].SequenceEqual(SealedObjectFormat.Magic))
        {
            throw BadMagic(path);
        }

        var version = BinaryPrimitives.ReadUInt16BigEndian(stored[VersionOffset..]);
        if (!SealedObjectFormat.IsReadable(version))
        {
            throw new SealedObjectIntegrityException(path, SealedObjectFailure.UnsupportedVersion,
                string.Create(CultureInfo.InvariantCulture,
                    $"unsupported format version {version} (this reader accepts {SealedObjectFormat.OldestReadableVersion} to {SealedObjectFormat.CurrentVersion})"));
        }

        return version;
    }

    /// <summary>Byte offset of chunk <paramref name="index"/> within the stored object.</summary>
    public long GetChunkOffset(long index)
    {
        CheckIndex(index);
        return _bytes.Length + (index * ((long)ChunkSize + SealedObjectFormat.TagSize));
    }

    /// <summary>Plaintext bytes in chunk <paramref name="index"/>.</summary>
    public int GetChunkPlaintextLength(long index)
    {
        CheckIndex(index);
        return index < ChunkCount - 1 ? ChunkSize : (int)(PlaintextLength - (index * (long)ChunkSize));
    }

    /// <summary>Stored bytes of chunk <paramref name="index"/>: ciphertext plus tag.</summary>
    public int GetStoredChunkLength(long index) => GetChunkPlaintextLength(index) + SealedObjectFormat.TagSize;

    /// <summary>Hash of the header: the associated data of every chunk.</summary>
    internal void ComputeAssociatedData(Span<byte> destination) => SHA256.HashData(_bytes, destination);

    internal static void ValidateLayout(int chunkSize, long plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, SealedObjectFormat.MinChunkSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, SealedObjectFormat.MaxChunkSize);
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        if (!LayoutFits(chunkSize, plaintextLength))
        {
            throw new ArgumentOutOfRangeException(nameof(plaintextLength), plaintextLength,
                "The object would need more than 2^32 chunks or more than 2^63 stored bytes; use a larger chunk size.");
        }
    }

    private static bool LayoutFits(int chunkSize, long plaintextLength)
    {
        var chunks = SealedObjectFormat.GetChunkCount(plaintextLength, chunkSize);
        return chunks <= SealedObjectFormat.MaxChunkCount
            && plaintextLength <= long.MaxValue - SealedObjectFormat.MaxHeaderSize - (chunks * SealedObjectFormat.TagSize);
    }

    private static SealedObjectHeader ParseV1(ReadOnlySpan<byte> header, string path)
    {
        var keyringVersion = BinaryPrimitives.ReadUInt64BigEndian(header[KeyringVersionOffset..]);
        var dekId = BinaryPrimitives.ReadUInt32BigEndian(header[DekIdOffset..]);
        var chunkSize = BinaryPrimitives.ReadUInt32BigEndian(header[ChunkSizeOffset..]);
        var plaintextLength = BinaryPrimitives.ReadUInt64BigEndian(header[PlaintextLengthOffset..]);

        if (keyringVersion is 0 or > long.MaxValue)
        {
            throw Invalid(path, string.Create(CultureInfo.InvariantCulture, $"keyring version {keyringVersion} out of range"));
        }

        if (chunkSize is < SealedObjectFormat.MinChunkSize or > SealedObjectFormat.MaxChunkSize)
        {
            throw Invalid(path, string.Create(CultureInfo.InvariantCulture,
                $"chunk size {chunkSize} out of range [{SealedObjectFormat.MinChunkSize}, {SealedObjectFormat.MaxChunkSize}]"));
        }

        if (plaintextLength > long.MaxValue || !LayoutFits((int)chunkSize, (long)plaintextLength))
        {
            throw Invalid(path, string.Create(CultureInfo.InvariantCulture, $"plaintext length {plaintextLength} out of range for chunk size {chunkSize}"));
        }

        return new SealedObjectHeader(header.ToArray(), 1, (long)keyringVersion, dekId, (int)chunkSize, (long)plaintextLength);
    }

    private void CheckIndex(long index)
    {
        if ((ulong)index >= (ulong)ChunkCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "No such chunk.");
        }
    }

    private static SealedObjectIntegrityException BadMagic(string path) =>
        new(path, SealedObjectFailure.BadMagic, "bad magic (not a sealed Moat object)");

    private static SealedObjectIntegrityException Invalid(string path, string detail) =>
        new(path, SealedObjectFailure.InvalidHeader, "invalid header: " + detail);
}
