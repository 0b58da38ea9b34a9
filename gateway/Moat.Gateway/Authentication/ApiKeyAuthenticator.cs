using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Gateway.Authentication;

/// <summary>
/// Checks <c>authorization: Bearer moat_...</c> with the router, caching answers for a short TTL.
/// When the router cannot be reached past that TTL the gateway fails closed with UNAVAILABLE: it
/// never serves a stale allow.
/// </summary>
public sealed partial class ApiKeyAuthenticator
{
    private readonly Moat.Internal.V1.Directory.DirectoryClient _router;
    private readonly ApiKeyAuthenticatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ApiKeyAuthenticator> _logger;
    private readonly ConcurrentDictionary<string, (ApiKeyIdentity Identity, DateTimeOffset FreshUntil)> _cache = new(StringComparer.Ordinal);

    public ApiKeyAuthenticator(Moat.Internal.V1.Directory.DirectoryClient router, IOptions<ApiKeyAuthenticatorOptions> options, TimeProvider time, ILogger<ApiKeyAuthenticator> logger)
    {
        _router = router;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>The caller's identity, or a MoatException with the status and reason to answer.</summary>
    public async Task<ApiKeyIdentity> AuthenticateAsync(string? authorization, string endpointId, string region, CancellationToken cancellationToken)
    {
        const string scheme = "Bearer ";
        if (string.IsNullOrEmpty(authorization))
        {
            throw new MoatException(StatusCode.Unauthenticated, ErrorReason.ApiKeyMissing, "no API key: send 'authorization: Bearer moat_...'");
        }

        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || !authorization[scheme.Length..].StartsWith("moat_", StringComparison.Ordinal))
        {
            throw new MoatException(StatusCode.Unauthenticated, ErrorReason.ApiKeyInvalid, "the authorization header is not 'Bearer moat_...'");
        }

        var apiKey = authorization[scheme.Length..].Trim();
        var cacheKey = CacheKey(apiKey, endpointId);
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(cacheKey, out var cached) && cached.FreshUntil > now)
        {
            return StillValid(cached.Identity, now);
        }

        AuthenticateApiKeyResponse reply;
        try
        {
            reply = await _router.AuthenticateApiKeyAsync(
                new AuthenticateApiKeyRequest { ApiKey = apiKey, EndpointId = endpointId, EndpointKind = EndpointKind.LoopbackDev, Region = region, Listener = endpointId },
                deadline: _time.GetUtcNow().UtcDateTime + _options.RouterDeadline,
                cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            _cache.TryRemove(cacheKey, out _);
            var reason = Enum.TryParse<ErrorReason>(ToPascal(RpcErrors.ReasonOf(e)), out var parsed) ? parsed : ErrorReason.ApiKeyInvalid;
            throw new MoatException(e.StatusCode, reason, e.Status.Detail);
        }
        catch (RpcException e)
        {
            _cache.TryRemove(cacheKey, out _);
            LogRouterUnavailable(_logger, e.StatusCode);
            throw new MoatException(StatusCode.Unavailable, ErrorReason.DirectoryUnavailable, "the directory cannot be reached to check the API key; retry later");
        }

        var identity = new ApiKeyIdentity(
            reply.Org,
            reply.ApiKeyId,
            reply.Role,
            reply.NamespacePrefix,
            reply.ExpiresAtUnixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(reply.ExpiresAtUnixMs) : null);
        var ttl = reply.CacheTtl is { } t && t.ToTimeSpan() > TimeSpan.Zero && t.ToTimeSpan() < _options.CacheTtl ? t.ToTimeSpan() : _options.CacheTtl;
        _cache[cacheKey] = (identity, _time.GetUtcNow() + ttl);
        return StillValid(identity, now);
    }

    private static ApiKeyIdentity StillValid(ApiKeyIdentity identity, DateTimeOffset now) =>
        identity.ExpiresAt is { } expires && expires <= now
            ? throw new MoatException(StatusCode.Unauthenticated, ErrorReason.ApiKeyExpired, "the API key has expired")
            : identity;

    // The cache holds a hash of the key, not the key.
    private static string CacheKey(string apiKey, string endpointId) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(endpointId + "\n" + apiKey)));

    private static string ToPascal(string? reason) =>
        string.Concat((reason ?? string.Empty).Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => char.ToUpperInvariant(w[0]) + w[1..].ToLowerInvariant()));

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "The router did not answer an API key check ({Status}); failing closed")]
    private static partial void LogRouterUnavailable(ILogger logger, StatusCode status);
}
