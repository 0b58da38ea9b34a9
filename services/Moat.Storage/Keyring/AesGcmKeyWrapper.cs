using System.Security.Cryptography;

namespace Moat.Storage.Keyring;

/// <summary>
/// <see cref="IKeyWrapper"/> over a KEK held in process memory: AES-256-GCM with a random 12-byte
/// nonce per wrap. Wrapped form: nonce (12) ‖ ciphertext ‖ tag (16). Thread-safe.
/// </summary>
public sealed class AesGcmKeyWrapper : IKeyWrapper, IDisposable
{
    public const int KekSize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly AesGcm _aes;
    private readonly Lock _lock = new();

    /// <param name="kekVersion">Version of this KEK in the namespace's key history (≥ 1).</param>
    /// <param name="kek">32-byte KEK; copied into the cipher state, the caller zeroes its own copy.</param>
    public AesGcmKeyWrapper(long kekVersion, ReadOnlySpan<byte> kek)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kekVersion, 1);
        if (kek.Length != KekSize)
        {
            throw new ArgumentException($"A KEK is {KekSize} bytes.", nameof(kek));
        }

        KekVersion = kekVersion;
        _aes = new AesGcm(kek, TagSize);
    }

    public long KekVersion { get; }

    public byte[] Wrap(ReadOnlySpan<byte> key, ReadOnlySpan<byte> associatedData)
    {
        var wrapped = new byte[NonceSize + key.Length + TagSize];
        var nonce = wrapped.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        lock (_lock)
        {
            _aes.Encrypt(nonce, key, wrapped.AsSpan(NonceSize, key.Length), wrapped.AsSpan(NonceSize + key.Length), associatedData);
        }

        return wrapped;
    }

    public int Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData, Span<byte> destination)
    {
        var length = wrapped.Length - NonceSize - TagSize;
        if (length < 0)
        {
            throw new CryptographicException("The wrapped key is too short.");
        }

        if (destination.Length < length)
        {
            throw new ArgumentException("The destination is smaller than the wrapped key.", nameof(destination));
        }

        lock (_lock)
        {
            _aes.Decrypt(wrapped[..NonceSize], wrapped.Slice(NonceSize, length), wrapped[(NonceSize + length)..],
                destination[..length], associatedData);
        }

        return length;
    }

    public void Dispose() => _aes.Dispose();
}
