using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Moat.Storage.Sealing;

/// <summary>
/// The per-object AES-256-GCM state shared by writer and readers: key = HKDF-SHA256(DEK, salt,
/// info = UTF-8 path), nonce = prefix(7) ‖ u32 BE chunk index ‖ u8 last-flag, AAD = SHA-256(header).
/// One AesGcm per object; no allocation per chunk. Not thread-safe.
/// </summary>
internal sealed class SealedChunkCipher : IDisposable
{
    private const int MaxStackPathBytes = 512;

    private readonly AesGcm _aes;
    private readonly byte[] _associatedData = new byte[SHA256.HashSizeInBytes];
    private readonly byte[] _nonce = new byte[SealedObjectFormat.NonceSize];
    private readonly long _chunkCount;

    private SealedChunkCipher(AesGcm aes, SealedObjectHeader header, string path)
    {
        _aes = aes;
        Path = path;
        _chunkCount = header.ChunkCount;
        header.NoncePrefix.CopyTo(_nonce);
        header.ComputeAssociatedData(_associatedData);
    }

    public string Path { get; }

    public static SealedChunkCipher Create(SealedObjectHeader header, ReadOnlySpan<byte> dataKey, string path)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(path);
        if (dataKey.Length != SealedObjectFormat.DataKeySize)
        {
            throw new ArgumentException($"A DEK is {SealedObjectFormat.DataKeySize} bytes.", nameof(dataKey));
        }

        var infoLength = Encoding.UTF8.GetByteCount(path);
        byte[]? rented = null;
        var info = infoLength <= MaxStackPathBytes
            ? stackalloc byte[MaxStackPathBytes]
            : (rented = ArrayPool<byte>.Shared.Rent(infoLength));
        info = info[..Encoding.UTF8.GetBytes(path, info)];

        Span<byte> key = stackalloc byte[SealedObjectFormat.DataKeySize];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, key, header.Salt, info);
            return new SealedChunkCipher(new AesGcm(key, SealedObjectFormat.TagSize), header, path);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Encrypts chunk <paramref name="index"/>; <paramref name="destination"/> receives ciphertext ‖ tag.
    /// <paramref name="plaintext"/> may be the start of <paramref name="destination"/> (in place).</summary>
    public void Seal(long index, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        SetNonce(index);
        _aes.Encrypt(_nonce, plaintext, destination[..plaintext.Length],
            destination.Slice(plaintext.Length, SealedObjectFormat.TagSize), _associatedData);
    }

    /// <summary>
    /// Authenticates and decrypts chunk <paramref name="index"/> (ciphertext ‖ tag) into
    /// <paramref name="plaintext"/>, which may be the start of <paramref name="stored"/> (in place).
    /// On failure <paramref name="plaintext"/> is cleared and nothing of the chunk is released.
    /// </summary>
    public void Open(long index, ReadOnlySpan<byte> stored, Span<byte> plaintext)
    {
        var length = stored.Length - SealedObjectFormat.TagSize;
        SetNonce(index);
        try
        {
            _aes.Decrypt(_nonce, stored[..length], stored.Slice(length, SealedObjectFormat.TagSize),
                plaintext[..length], _associatedData);
        }
        catch (AuthenticationTagMismatchException e)
        {
            CryptographicOperations.ZeroMemory(plaintext[..length]);
            throw SealedObjectIntegrityException.TagMismatch(Path, index, e);
        }
    }

    public void Dispose() => _aes.Dispose();

    private void SetNonce(long index)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_nonce.AsSpan(SealedObjectFormat.NoncePrefixSize), checked((uint)index));
        _nonce[SealedObjectFormat.NonceSize - 1] = index == _chunkCount - 1 ? (byte)1 : (byte)0;
    }
}
