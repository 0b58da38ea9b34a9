using System.Security.Cryptography;
using Grpc.Core;
using Moat.Internal.V1;
using Moat.Storage.Sealing;

namespace Moat.Keys.Client;

/// <summary>
/// A namespace's data keys from KeyVault, through the service's <see cref="NamespaceKeyCache"/>, for
/// whoever needs them: the write service (sealing WAL entries and meta for a caller), the query
/// service (unsealing for a caller), the indexer (service purposes). Every key handed out is a
/// private copy: sealing keys as <see cref="SealingKey"/> leases zeroed on dispose, unsealing keys
/// held by a <see cref="NamespaceDataKeys"/> until it is disposed. Fails closed: KeyVault's refusal
/// (KEY_DISABLED, KEY_DESTROYED, ...) is thrown as a <see cref="Moat.Hosting.Errors.MoatException"/>
/// with KeyVault's status and reason.
/// </summary>
public sealed class KeyVaultKeySource
{
    private const int KeyLength = 32;
    private const int CopyAttempts = 3;
    private readonly NamespaceKeyCache _cache;

    public KeyVaultKeySource(NamespaceKeyCache cache)
    {
        _cache = cache;
    }

    /// <summary>The cache underneath (listeners for dropped keys, state checks).</summary>
    public NamespaceKeyCache Cache => _cache;

    /// <summary>The namespace's current DEK for sealing, obtained for <paramref name="access"/> (from the cache when fresh).</summary>
    public async Task<SealingKey> GetCurrentAsync(KeyAccess access, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(access);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _cache.GetCurrentAsync(access.Org, access.NamespaceId, access.Purpose, access.Principal, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw KeyVaultErrors.Translate(e);
            }

            if (TryGetCachedCurrent(access.NamespaceId) is { } lease)
            {
                return lease;
            }

            if (attempt >= CopyAttempts)
            {
                // The entry keeps being dropped or replaced under us: its key is being checked or rotated.
                throw new Moat.Hosting.Errors.MoatException(StatusCode.Unavailable, Moat.V1.ErrorReason.KeyStateUnavailable, "the namespace's key changed while it was being obtained; retry");
            }
        }
    }

    /// <summary>
    /// The current DEK if the cache holds it fresh now, without asking KeyVault (the WAL's commit
    /// loop seals with the key its writers obtained); null when it was dropped or expired.
    /// </summary>
    public SealingKey? TryGetCachedCurrent(string namespaceId)
    {
        var copy = GC.AllocateUninitializedArray<byte>(KeyLength, pinned: true);
        if (_cache.TryCopy(namespaceId, null, copy, out var copied))
        {
            return SealingKey.Owned((long)copied.KeyringVersion, copied.DekId, copy);
        }

        CryptographicOperations.ZeroMemory(copy);
        return null;
    }

    /// <summary>Unsealing keys for <paramref name="access"/>; dispose it when the objects are read (its copies are zeroed).</summary>
    public NamespaceDataKeys DataKeys(KeyAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        return new NamespaceDataKeys(this, access);
    }

    /// <summary>A private copy of one DEK (null when the namespace's keyring has no such DEK).</summary>
    internal async Task<byte[]?> CopyAsync(KeyAccess access, DataKeyRef keyRef, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= CopyAttempts; attempt++)
        {
            var copy = GC.AllocateUninitializedArray<byte>(KeyLength, pinned: true);
            if (_cache.TryCopy(access.NamespaceId, keyRef, copy, out _))
            {
                return copy;
            }

            CryptographicOperations.ZeroMemory(copy);
            try
            {
                await _cache.GetAsync(access.Org, access.NamespaceId, keyRef, access.Purpose, access.Principal, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
            {
                return null; // KeyVault: no such data key in this namespace's keyring (authoritative)
            }
            catch (RpcException e)
            {
                throw KeyVaultErrors.Translate(e);
            }
        }

        throw new Moat.Hosting.Errors.MoatException(StatusCode.Unavailable, Moat.V1.ErrorReason.KeyStateUnavailable, "the namespace's key changed while it was being obtained; retry");
    }
}
