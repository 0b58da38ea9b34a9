using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Moat.Hosting.Errors;
using Moat.Keys.CustomerKeys;
using Moat.Keys.KeyStore;
using Moat.Keys.RootOfTrust;
using Moat.Storage;
using Moat.Storage.Keyring;
using Moat.Storage.ObjectStore;
using Moat.Storage.Records;
using Moat.V1;

namespace Moat.Keys.NamespaceKeys;

/// <summary>
/// One KEK per namespace, always (DESIGN section 6): generated here, wrapped by the root key or by
/// the customer key the namespace names (bound to the org and namespace as context), stored only
/// wrapped in the key store; the namespace's DEKs live in its keyring in the data store, wrapped
/// under the KEK. KEKs exist in plaintext only in memory, for the duration of one operation.
/// </summary>
public sealed class NamespaceKekManager
{
    private const int KekSize = 32;
    private readonly JsonRecordStore _keyStore;
    private readonly IObjectStore _data;
    private readonly IRootKeyProvider _root;
    private readonly CustomerKeyManager _customerKeys;
    private readonly string _rootKeyId;
    private readonly TimeProvider _time;

    public NamespaceKekManager(KeyStores stores, IRootKeyProvider root, CustomerKeyManager customerKeys, IOptions<Moat.Keys.RootOfTrust.Configuration.RootOfTrustOptions> rootOfTrust, TimeProvider time)
    {
        _keyStore = stores.Keys;
        _data = stores.Data;
        _root = root;
        _customerKeys = customerKeys;
        _rootKeyId = rootOfTrust.Value.RootKeyId;
        _time = time;
    }

    /// <summary>Creates the namespace's KEK and first keyring; idempotent for the same org (a retried init repairs a half-done one).</summary>
    public async Task<(NamespaceKekRecord Record, bool Created, long KeyringVersion)> CreateAsync(string org, string namespaceId, string namespaceName, string keyId, string parentNamespaceId, CancellationToken cancellationToken)
    {
        if (namespaceId.Length == 0 || org.Length == 0)
        {
            throw new MoatValidationException([new FieldViolation("org", "required"), new FieldViolation("namespace_id", "required")]);
        }

        var created = false;
        var record = (await _keyStore.GetAsync<NamespaceKekRecord>(KeyStoreKeys.Kek(namespaceId), cancellationToken))?.Value;
        if (record is null)
        {
            var (wrappedBy, wrappedByVersion, rootKeyId) = await WrappingKeyAsync(org, keyId, cancellationToken);
            using var kek = SecretBytes.Random(KekSize);
            var wrapped = await _root.WrapAsync(rootKeyId, kek.Memory, RootKeyContext.ForNamespace(org, namespaceId), cancellationToken);
            var candidate = new NamespaceKekRecord(namespaceId, org, namespaceName, wrappedBy, parentNamespaceId, false,
                [new KekVersion(1, wrappedBy, wrappedByVersion, Convert.ToBase64String(wrapped.Encode()), _time.GetUtcNow())], _time.GetUtcNow());
            created = await _keyStore.TryCreateAsync(KeyStoreKeys.Kek(namespaceId), candidate, cancellationToken);
            record = created ? candidate : (await _keyStore.GetAsync<NamespaceKekRecord>(KeyStoreKeys.Kek(namespaceId), cancellationToken))!.Value.Value;
        }

        RequireOwner(record, org);
        await RequireUsableAsync(record, cancellationToken);
        var keyring = await OpenKeyringAsync(record, cancellationToken);
        if (keyring is not null)
        {
            using (keyring)
            {
                return (record, created, keyring.Version);
            }
        }

        using var kekWrapper = await KekWrapperAsync(record, record.Current.Version, cancellationToken);
        using var first = NamespaceKeyring.CreateFirst(namespaceId, kekWrapper, _time);
        await PutIfAbsentAsync(first, cancellationToken);
        return (record, created, first.Version);
    }

    /// <summary>The namespace's KEK record, owned by <paramref name="org"/>.</summary>
    public async Task<NamespaceKekRecord> GetAsync(string org, string namespaceId, CancellationToken cancellationToken)
    {
        var record = (await _keyStore.GetAsync<NamespaceKekRecord>(KeyStoreKeys.Kek(namespaceId), cancellationToken))?.Value
            ?? throw new MoatException(StatusCode.NotFound, ErrorReason.KeyNotFound, "the namespace has no key");
        RequireOwner(record, org);
        return record;
    }

    /// <summary>Why the namespace's keys cannot be used now, or null when they can. Releases no key.</summary>
    public async Task<(ErrorReason Reason, string Message)?> UnusableAsync(NamespaceKekRecord record, CancellationToken cancellationToken)
    {
        if (record.Destroyed)
        {
            return (ErrorReason.KeyDestroyed, "the namespace key is destroyed");
        }

        if (record.KeyId.Length == 0)
        {
            return null;
        }

        var key = await _customerKeys.GetAsync(record.Org, record.KeyId, cancellationToken);
        return CustomerKeyManager.Unusable(key);
    }

    public async Task RequireUsableAsync(NamespaceKekRecord record, CancellationToken cancellationToken)
    {
        if (await UnusableAsync(record, cancellationToken) is { } why)
        {
            throw new MoatException(StatusCode.FailedPrecondition, why.Reason, why.Message,
                new Dictionary<string, string> { ["key_id"] = record.KeyId, ["namespace_id"] = record.NamespaceId });
        }
    }

    /// <summary>The newest keyring of the namespace, opened with the KEK version it names.</summary>
    public async Task<NamespaceKeyring?> OpenKeyringAsync(NamespaceKekRecord record, CancellationToken cancellationToken)
    {
        ObjectMetadata? newest = null;
        await foreach (var meta in _data.ListAsync(StoragePaths.NamespaceRoot(record.NamespaceId) + "keyring/", null, cancellationToken))
        {
            newest = meta;
        }

        if (newest is null)
        {
            return null;
        }

        var version = long.Parse(newest.Key[(newest.Key.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var stored = await _data.GetAsync(newest.Key, null, cancellationToken)
            ?? throw new MoatException(StatusCode.Unavailable, ErrorReason.Internal, "the keyring vanished while reading it; retry");

        // The keyring names the KEK version that wrapped it; try the newest KEK first.
        foreach (var kekVersion in record.Versions.Select(v => v.Version).Reverse())
        {
            using var wrapper = await KekWrapperAsync(record, kekVersion, cancellationToken);
            try
            {
                return NamespaceKeyring.Parse(stored.Data.Span, record.NamespaceId, version, wrapper);
            }
            catch (KeyringIntegrityException e) when (e.Failure == KeyringFailure.KekVersionMismatch)
            {
                // Written under another KEK version: try the next.
            }
        }

        throw new MoatException(StatusCode.Internal, ErrorReason.IntegrityFailure, "the namespace keyring does not open under any KEK version");
    }

    /// <summary>Namespace-KEK rotation: a new KEK version, and a new keyring version with every DEK re-wrapped.</summary>
    public async Task<(long KekVersion, long KeyringVersion)> RotateAsync(string org, string namespaceId, CancellationToken cancellationToken)
    {
        var record = await GetAsync(org, namespaceId, cancellationToken);
        await RequireUsableAsync(record, cancellationToken);
        var (wrappedBy, wrappedByVersion, rootKeyId) = await WrappingKeyAsync(org, record.KeyId, cancellationToken);
        using var kek = SecretBytes.Random(KekSize);
        var wrapped = await _root.WrapAsync(rootKeyId, kek.Memory, RootKeyContext.ForNamespace(org, namespaceId), cancellationToken);
        var updated = await UpdateAsync(namespaceId, cancellationToken, current => current with
        {
            Versions = [.. current.Versions, new KekVersion(current.Current.Version + 1, wrappedBy, wrappedByVersion, Convert.ToBase64String(wrapped.Encode()), _time.GetUtcNow())],
        });

        using var keyring = await OpenKeyringAsync(updated, cancellationToken)
            ?? throw new MoatException(StatusCode.FailedPrecondition, ErrorReason.NamespaceNotReady, "the namespace has no keyring yet");
        using var newKek = new AesGcmKeyWrapper(updated.Current.Version, kek.Span);
        using var rewrapped = keyring.Rewrap(newKek);
        await PutIfAbsentAsync(rewrapped, cancellationToken);
        return (updated.Current.Version, rewrapped.Version);
    }

    /// <summary>Customer-key rotation: every KEK version re-wrapped under the key's newest version.</summary>
    public async Task RewrapUnderPrimaryAsync(string org, string namespaceId, CancellationToken cancellationToken)
    {
        var record = await GetAsync(org, namespaceId, cancellationToken);
        if (record.Destroyed || record.KeyId.Length == 0)
        {
            return;
        }

        var (wrappedBy, wrappedByVersion, rootKeyId) = await WrappingKeyAsync(org, record.KeyId, cancellationToken);
        var versions = new List<KekVersion>();
        foreach (var version in record.Versions)
        {
            if (version.WrappedByKeyVersion == wrappedByVersion)
            {
                versions.Add(version);
                continue;
            }

            using var kek = await UnwrapKekAsync(record, version.Version, cancellationToken);
            var wrapped = await _root.WrapAsync(rootKeyId, kek.Memory, RootKeyContext.ForNamespace(org, namespaceId), cancellationToken);
            versions.Add(version with { WrappedByKeyId = wrappedBy, WrappedByKeyVersion = wrappedByVersion, Wrapped = Convert.ToBase64String(wrapped.Encode()) });
        }

        await UpdateAsync(namespaceId, cancellationToken, current => current.Versions.Count == versions.Count ? current with { Versions = versions } : throw new MoatException(StatusCode.Aborted, ErrorReason.Internal, "the KEK changed during re-wrap; retry"));
    }

    /// <summary>Erases every wrapped version of the namespace's KEK; the record stays as a tombstone so callers get KEY_DESTROYED.</summary>
    public async Task<long> DestroyAsync(string namespaceId, CancellationToken cancellationToken)
    {
        var erased = 0L;
        await UpdateAsync(namespaceId, cancellationToken, current =>
        {
            erased = current.Versions.Count(v => v.Wrapped.Length > 0);
            return current with { Destroyed = true, Versions = [.. current.Versions.Select(v => v with { Wrapped = string.Empty })] };
        });
        return erased;
    }

    /// <summary>Every namespace whose KEK the customer key protects.</summary>
    public async Task<IReadOnlyList<NamespaceKekRecord>> DependentsAsync(string org, string keyId, CancellationToken cancellationToken)
    {
        var list = new List<NamespaceKekRecord>();
        await foreach (var record in _keyStore.ListAsync<NamespaceKekRecord>(KeyStoreKeys.KeksPrefix, cancellationToken))
        {
            if (record.Org == org && record.KeyId == keyId)
            {
                list.Add(record);
            }
        }

        return list;
    }

    public async Task<SecretBytes> UnwrapKekAsync(NamespaceKekRecord record, long kekVersion, CancellationToken cancellationToken)
    {
        var version = record.Versions.FirstOrDefault(v => v.Version == kekVersion);
        if (version is null || version.Wrapped.Length == 0 || record.Destroyed)
        {
            throw new MoatException(StatusCode.FailedPrecondition, ErrorReason.KeyDestroyed, "the namespace key is destroyed");
        }

        return await _root.UnwrapAsync(WrappedKey.Decode(Convert.FromBase64String(version.Wrapped)), RootKeyContext.ForNamespace(record.Org, record.NamespaceId), cancellationToken);
    }

    private async Task<AesGcmKeyWrapper> KekWrapperAsync(NamespaceKekRecord record, long kekVersion, CancellationToken cancellationToken)
    {
        using var kek = await UnwrapKekAsync(record, kekVersion, cancellationToken);
        return new AesGcmKeyWrapper(kekVersion, kek.Span);
    }

    private async Task PutIfAbsentAsync(NamespaceKeyring keyring, CancellationToken cancellationToken)
    {
        try
        {
            await _data.PutAsync(keyring.StoragePath, keyring.Serialize(), PutCondition.IfAbsent, cancellationToken);
        }
        catch (ObjectStorePreconditionFailedException)
        {
            // Another call wrote this keyring version first (an idempotent retry or a racing
            // rotation); readers always open the newest version, so nothing is lost.
        }
    }

    /// <summary>The wrapping key for new KEK versions: the namespace's customer key (its primary version) or the root key.</summary>
    private async Task<(string KeyId, long KeyVersion, string RootKeyId)> WrappingKeyAsync(string org, string keyId, CancellationToken cancellationToken)
    {
        if (keyId.Length == 0)
        {
            return (string.Empty, 0, _rootKeyId);
        }

        var key = await _customerKeys.GetAsync(org, keyId, cancellationToken);
        if (CustomerKeyManager.Unusable(key) is { } why)
        {
            throw new MoatException(StatusCode.FailedPrecondition, why.Reason, why.Message, new Dictionary<string, string> { ["key_id"] = keyId });
        }

        return (key.Id, key.Primary.Version, key.Primary.RootKeyId);
    }

    private async Task<NamespaceKekRecord> UpdateAsync(string namespaceId, CancellationToken cancellationToken, Func<NamespaceKekRecord, NamespaceKekRecord> change)
    {
        var path = KeyStoreKeys.Kek(namespaceId);
        while (true)
        {
            var found = await _keyStore.GetAsync<NamespaceKekRecord>(path, cancellationToken)
                ?? throw new MoatException(StatusCode.NotFound, ErrorReason.KeyNotFound, "the namespace has no key");
            var updated = change(found.Value);
            if (await _keyStore.TryReplaceAsync(path, updated, found.ETag, cancellationToken))
            {
                return updated;
            }
        }
    }

    private static void RequireOwner(NamespaceKekRecord record, string org)
    {
        if (record.Org != org)
        {
            throw new MoatException(StatusCode.PermissionDenied, ErrorReason.CallerNotAllowed, "the namespace belongs to another org");
        }
    }
}
