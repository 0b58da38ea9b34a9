namespace Moat.Storage.Keyring;

/// <summary>
/// Wraps and unwraps key material under one version of a namespace KEK, with associated data.
/// The in-memory <see cref="AesGcmKeyWrapper"/> is the first implementation; an HSM-held KEK
/// (PKCS#11 AES-GCM) implements the same contract without the KEK ever leaving the device.
/// </summary>
public interface IKeyWrapper
{
    /// <summary>The KEK version this wrapper wraps under; recorded in every keyring it seals.</summary>
    long KekVersion { get; }

    /// <summary>Encrypts and authenticates <paramref name="key"/>, binding <paramref name="associatedData"/>.
    /// The result is opaque to callers and at most <see cref="KeyringFormat.MaxWrappedSize"/> bytes.</summary>
    byte[] Wrap(ReadOnlySpan<byte> key, ReadOnlySpan<byte> associatedData);

    /// <summary>Authenticates and decrypts <paramref name="wrapped"/> into <paramref name="destination"/>; returns
    /// the key length.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The wrapped bytes or the
    /// associated data do not authenticate under this KEK.</exception>
    int Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData, Span<byte> destination);
}
