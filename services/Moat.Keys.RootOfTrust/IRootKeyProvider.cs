namespace Moat.Keys.RootOfTrust;

/// <summary>
/// A root of trust: holds root keys (and Moat-hosted customer keys) that never leave it, and wraps
/// and unwraps namespace KEKs under them (DESIGN section 6). Every provider — <c>pkcs11</c>,
/// <c>dev-file</c>, and later <c>aws-kms</c> and <c>gcp-kms</c> — implements this one contract.
/// </summary>
/// <remarks>
/// Every wrap is bound to a <see cref="RootKeyContext"/> (the org and namespace the KEK belongs to):
/// unwrapping with any other context fails, so a wrapped KEK copied to another org or namespace is
/// useless there. Implementations are thread-safe; the calls may block on a device or a network and
/// are therefore asynchronous.
/// </remarks>
public interface IRootKeyProvider
{
    /// <summary>The provider id as configured: <c>pkcs11</c>, <c>dev-file</c>, <c>aws-kms</c>, <c>gcp-kms</c>.</summary>
    string Name { get; }

    /// <summary>Creates a new AES-256 root key inside the root of trust and returns its id.</summary>
    /// <param name="label">Lowercase letters, digits, '.', '_' and '-' (at most 64); see <see cref="RootKeyLabel"/>.</param>
    /// <exception cref="RootOfTrustException"><see cref="RootOfTrustFailure.KeyAlreadyExists"/> when the label is taken.</exception>
    Task<string> CreateRootKeyAsync(string label, CancellationToken cancellationToken = default);

    /// <summary>True when the root key exists (and can be used).</summary>
    Task<bool> ExistsAsync(string rootKeyId, CancellationToken cancellationToken = default);

    /// <summary>Destroys the root key irreversibly. Everything wrapped under it becomes unreadable.</summary>
    /// <exception cref="RootOfTrustException"><see cref="RootOfTrustFailure.KeyNotFound"/>.</exception>
    Task DestroyRootKeyAsync(string rootKeyId, CancellationToken cancellationToken = default);

    /// <summary>Encrypts and authenticates <paramref name="plaintextKey"/> under the root key, bound to <paramref name="context"/>.</summary>
    /// <exception cref="RootOfTrustException"><see cref="RootOfTrustFailure.KeyNotFound"/>.</exception>
    Task<WrappedKey> WrapAsync(string rootKeyId, ReadOnlyMemory<byte> plaintextKey, RootKeyContext context, CancellationToken cancellationToken = default);

    /// <summary>
    /// Authenticates and decrypts <paramref name="wrapped"/> (under the root key it names) with <paramref name="context"/>.
    /// The caller owns the result and disposes it, which zeroes the key.
    /// </summary>
    /// <exception cref="RootOfTrustException"><see cref="RootOfTrustFailure.UnwrapFailed"/> when the ciphertext or the
    /// context does not authenticate; <see cref="RootOfTrustFailure.KeyNotFound"/>; <see cref="RootOfTrustFailure.WrongProvider"/>.</exception>
    Task<SecretBytes> UnwrapAsync(WrappedKey wrapped, RootKeyContext context, CancellationToken cancellationToken = default);
}
