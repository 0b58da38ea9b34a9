using System.Text.RegularExpressions;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Router.Endpoints;
using Moat.Router.Persistence;
using Moat.V1;
using Moat.Storage.Records;

namespace Moat.Router.ApiKeys;

/// <summary>Creating, checking, listing and revoking API keys (DESIGN section 8).</summary>
public sealed partial class ApiKeyRegistry
{
    private readonly JsonRecordStore _records;
    private readonly EndpointRegistry _endpoints;
    private readonly TimeProvider _time;

    public ApiKeyRegistry(JsonRecordStore records, EndpointRegistry endpoints, TimeProvider time)
    {
        _records = records;
        _endpoints = endpoints;
        _time = time;
    }

    /// <summary>How long the gateway may trust an answer: revocation takes effect within it.</summary>
    public static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(10);

    public async Task<(ApiKeyRecord Record, string FullKey)> CreateAsync(string org, Role role, string displayName, string namespacePrefix, string endpointId, DateTimeOffset? expiresAt, string createdBy, CancellationToken cancellationToken)
    {
        var violations = new List<FieldViolation>();
        if (role is not (Role.Admin or Role.Write or Role.Read))
        {
            violations.Add(new FieldViolation("role", "must be ROLE_ADMIN, ROLE_WRITE or ROLE_READ"));
        }

        if (displayName.Length > 128)
        {
            violations.Add(new FieldViolation("display_name", "at most 128 characters"));
        }

        if (namespacePrefix.Length > 0 && !NamespacePrefixPattern().IsMatch(namespacePrefix))
        {
            violations.Add(new FieldViolation("namespace_prefix", "must match [A-Za-z0-9-_.]{1,128}"));
        }

        if (expiresAt is { } e && e <= _time.GetUtcNow())
        {
            violations.Add(new FieldViolation("expires_at", "must be in the future"));
        }

        if (violations.Count > 0)
        {
            throw new MoatValidationException(violations);
        }

        if (endpointId.Length > 0 && !await _endpoints.IsRegisteredAsync(org, endpointId, cancellationToken))
        {
            throw new MoatException(StatusCode.FailedPrecondition, ErrorReason.EndpointNotFound, $"endpoint '{endpointId}' is not registered for this org");
        }

        while (true)
        {
            var (id, secret, full) = ApiKeySecret.Generate();
            var (salt, hash) = ApiKeySecret.Hash(secret);
            var record = new ApiKeyRecord(id, org, displayName, role.ToString(), namespacePrefix, endpointId, _time.GetUtcNow(), expiresAt, null, salt, hash, createdBy);
            if (await _records.TryCreateAsync(RouterKeys.ApiKey(id), record, cancellationToken))
            {
                return (record, full);
            }
        }
    }

    /// <summary>The key's record if the full key is genuine, current, and used through an endpoint of its org.</summary>
    public async Task<ApiKeyRecord> AuthenticateAsync(string fullKey, string endpointId, CancellationToken cancellationToken)
    {
        if (!ApiKeySecret.TryParse(fullKey, out var id, out var secret))
        {
            throw Invalid();
        }

        var found = await _records.GetAsync<ApiKeyRecord>(RouterKeys.ApiKey(id), cancellationToken);
        if (found is not { } entry || !ApiKeySecret.Verify(secret, entry.Value.Salt, entry.Value.Hash))
        {
            throw Invalid();
        }

        var key = entry.Value;
        if (key.RevokedAt is not null)
        {
            throw new MoatException(StatusCode.Unauthenticated, ErrorReason.ApiKeyRevoked, "the API key has been revoked");
        }

        if (key.ExpiresAt is { } expires && expires <= _time.GetUtcNow())
        {
            throw new MoatException(StatusCode.Unauthenticated, ErrorReason.ApiKeyExpired, "the API key has expired");
        }

        if ((key.EndpointId.Length > 0 && key.EndpointId != endpointId) || !await _endpoints.IsRegisteredAsync(key.Org, endpointId, cancellationToken))
        {
            throw new MoatException(StatusCode.PermissionDenied, ErrorReason.EndpointNotAllowed, "this API key may not be used through this endpoint");
        }

        return key;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string org, bool includeInactive, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var keys = new List<ApiKeyRecord>();
        await foreach (var key in _records.ListAsync<ApiKeyRecord>("api-keys/", cancellationToken))
        {
            var active = key.RevokedAt is null && (key.ExpiresAt is null || key.ExpiresAt > now);
            if (key.Org == org && (includeInactive || active))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    public async Task<ApiKeyRecord> RevokeAsync(string org, string keyId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = await _records.GetAsync<ApiKeyRecord>(RouterKeys.ApiKey(keyId), cancellationToken);
            if (found is not { } entry || entry.Value.Org != org)
            {
                throw new MoatException(StatusCode.NotFound, ErrorReason.ApiKeyNotFound, $"no API key '{keyId}' in this org");
            }

            if (entry.Value.RevokedAt is not null)
            {
                return entry.Value;
            }

            var revoked = entry.Value with { RevokedAt = _time.GetUtcNow() };
            if (await _records.TryReplaceAsync(RouterKeys.ApiKey(keyId), revoked, entry.ETag, cancellationToken))
            {
                return revoked;
            }
        }
    }

    public static Role ParseRole(string role) => Enum.Parse<Role>(role);

    private static MoatException Invalid() => new(StatusCode.Unauthenticated, ErrorReason.ApiKeyInvalid, "the API key is not valid");

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex NamespacePrefixPattern();
}
