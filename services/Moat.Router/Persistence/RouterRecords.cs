namespace Moat.Router.Persistence;

/// <summary>An org: the tenant every API key, endpoint and namespace belongs to.</summary>
public sealed record OrgRecord(string Id, string DisplayName, DateTimeOffset CreatedAt, IReadOnlyList<string> AllowedRegions);

/// <summary>An API key as stored: a salted hash of the secret, never the secret.</summary>
public sealed record ApiKeyRecord(
    string Id,
    string Org,
    string DisplayName,
    string Role,
    string NamespacePrefix,
    string EndpointId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    string Salt,
    string Hash,
    string CreatedBy);

/// <summary>A private endpoint registered for an org; its API keys work only through these.</summary>
public sealed record EndpointRecord(string Org, string Id, string Kind, string Region, string DisplayName, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>(org, namespace name) → opaque id and home region, created once (DESIGN section 7).</summary>
public sealed record DirectoryRecord(string Org, string Name, string NamespaceId, string HomeRegion, string KeyId, DateTimeOffset CreatedAt);
