using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Moat.Gateway.Authentication;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Gateway.Forwarding;

/// <summary>Where a namespace lives: its opaque id and home region (and that region's endpoint).</summary>
public sealed record ResolvedNamespace(string NamespaceId, string HomeRegion, string HomeEndpoint);

/// <summary>
/// (org, namespace name) → opaque id and home region, from the router's directory, cached briefly.
/// A namespace that does not exist yet is not cached (a first write may create it). When the router
/// cannot answer and nothing fresh is cached, calls fail closed with UNAVAILABLE.
/// </summary>
public sealed class NamespaceResolver
{
    private readonly Moat.Internal.V1.Directory.DirectoryClient _router;
    private readonly ApiKeyAuthenticatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Org, string Name), (ResolvedNamespace Value, DateTimeOffset FreshUntil)> _cache = new();

    public NamespaceResolver(Moat.Internal.V1.Directory.DirectoryClient router, IOptions<ApiKeyAuthenticatorOptions> options, TimeProvider time)
    {
        _router = router;
        _options = options.Value;
        _time = time;
    }

    /// <summary>Drops a cached entry (the namespace is being deleted: its name may soon map to a new id).</summary>
    public void Forget(string org, string name) => _cache.TryRemove((org, name), out _);

    public async Task<ResolvedNamespace?> ResolveAsync(string org, string name, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue((org, name), out var cached) && cached.FreshUntil > now)
        {
            return cached.Value;
        }

        ResolveResponse reply;
        try
        {
            reply = await _router.ResolveAsync(new ResolveRequest { Org = org, NamespaceName = name }, deadline: now.UtcDateTime + _options.RouterDeadline, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            _cache.TryRemove((org, name), out _);
            return null;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            throw new MoatValidationException("namespace", "must match [A-Za-z0-9-_.]{1,128}");
        }
        catch (RpcException)
        {
            throw new MoatException(StatusCode.Unavailable, ErrorReason.DirectoryUnavailable, "the directory cannot be reached to locate the namespace; retry later");
        }

        var resolved = new ResolvedNamespace(reply.NamespaceId, reply.HomeRegion, reply.HomeEndpoint);
        var ttl = reply.CacheTtl is { } t && t.ToTimeSpan() > TimeSpan.Zero && t.ToTimeSpan() < _options.CacheTtl ? t.ToTimeSpan() : _options.CacheTtl;
        _cache[(org, name)] = (resolved, _time.GetUtcNow() + ttl);
        return resolved;
    }
}
