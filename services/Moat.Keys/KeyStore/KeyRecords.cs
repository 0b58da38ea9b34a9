namespace Moat.Keys.KeyStore;

/// <summary>Key states of DESIGN section 6 (as stored).</summary>
public enum StoredKeyState
{
    Enabled,
    Disabled,
    PendingDestruction,
    Destroyed,
}

/// <summary>One version of a Moat-hosted customer key: a key inside the root of trust (the HSM).</summary>
public sealed record CustomerKeyVersion(long Version, string RootKeyId, DateTimeOffset CreatedAt);

/// <summary>
/// A customer key (Moat-hosted; external AWS/GCP keys come with the cloud-backends issue). It
/// protects any number of namespace KEKs of its org. Holds no key material: the versions live in
/// the root of trust and are named by id.
/// </summary>
public sealed record CustomerKeyRecord(
    string Id,
    string Org,
    string DisplayName,
    string Region,
    StoredKeyState State,
    StoredKeyState StateBeforeDestructionScheduled,
    IReadOnlyList<CustomerKeyVersion> Versions,
    DateTimeOffset CreatedAt,
    DateTimeOffset StateChangedAt,
    DateTimeOffset? DestroyAfter)
{
    public CustomerKeyVersion Primary => Versions[^1];
}

/// <summary>One version of a namespace KEK, wrapped by the root key or a customer key version.</summary>
/// <param name="Wrapped">The root of trust's wrapped key (<c>WrappedKey.Encode</c>, base64); empty once destroyed.</param>
public sealed record KekVersion(long Version, string WrappedByKeyId, long WrappedByKeyVersion, string Wrapped, DateTimeOffset CreatedAt);

/// <summary>
/// A namespace's KEK (always one per namespace): the authority for which org owns the namespace's
/// keys and which customer key (if any) protects it. Destroying it erases every wrapped version.
/// </summary>
/// <param name="KeyId">The customer key protecting the KEK, or empty for the region's root key.</param>
public sealed record NamespaceKekRecord(
    string NamespaceId,
    string Org,
    string NamespaceName,
    string KeyId,
    string ParentNamespaceId,
    bool Destroyed,
    IReadOnlyList<KekVersion> Versions,
    DateTimeOffset CreatedAt)
{
    public KekVersion Current => Versions[^1];
}
