using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Moat.Internal.V1;
using Moat.Audit;
using AuditEventKind = Moat.Audit.AuditEventKind;
using Moat.Hosting.Errors;
using Moat.Router.ApiKeys;
using Moat.Router.Audit;
using Moat.Router.Persistence;
using Moat.Router.Namespaces;
using Moat.V1;

namespace Moat.Router;

/// <summary><c>moat.internal.v1.Directory</c>: namespace directory and API key checks for gateways and services.</summary>
internal sealed class DirectoryApi : Moat.Internal.V1.Directory.DirectoryBase
{
    private readonly NamespaceDirectory _directory;
    private readonly ApiKeyRegistry _apiKeys;
    private readonly RouterAudit _audit;
    private readonly Regions.RegionCatalogOptions _regions;

    public DirectoryApi(NamespaceDirectory directory, ApiKeyRegistry apiKeys, RouterAudit audit, Microsoft.Extensions.Options.IOptions<Regions.RegionCatalogOptions> regions)
    {
        _regions = regions.Value;
        _directory = directory;
        _apiKeys = apiKeys;
        _audit = audit;
    }

    public override async Task<ReserveResponse> Reserve(ReserveRequest request, ServerCallContext context)
    {
        var (record, created) = await _directory.ReserveAsync(request.Org, request.NamespaceName, request.Region, request.KeyId, context.CancellationToken);
        if (created)
        {
            await _audit.ChangedAsync(AuditEventKind.NamespaceCreate, record.Org, string.Empty, $"namespace:{record.NamespaceId}:reserved", context.CancellationToken);
        }

        return new ReserveResponse { NamespaceId = record.NamespaceId, HomeRegion = record.HomeRegion, Created = created, KeyId = record.KeyId };
    }

    public override async Task<ResolveResponse> Resolve(ResolveRequest request, ServerCallContext context)
    {
        var record = await _directory.ResolveAsync(request.Org, request.NamespaceName, context.CancellationToken);
        return new ResolveResponse
        {
            NamespaceId = record.NamespaceId,
            HomeRegion = record.HomeRegion,
            HomeEndpoint = _regions.Regions.FirstOrDefault(r => r.Name == record.HomeRegion)?.Endpoint ?? string.Empty,
            KeyId = record.KeyId,
            CacheTtl = Duration.FromTimeSpan(ApiKeyRegistry.CacheTtl),
        };
    }

    public override async Task<ReleaseResponse> Release(ReleaseRequest request, ServerCallContext context)
    {
        var released = await _directory.ReleaseAsync(request.Org, request.NamespaceName, request.NamespaceId, context.CancellationToken);
        if (released)
        {
            await _audit.ChangedAsync(AuditEventKind.NamespaceDelete, request.Org, string.Empty, $"namespace:{request.NamespaceId}:released", context.CancellationToken);
        }

        return new ReleaseResponse { Released = released };
    }

    public override async Task<ListEntriesResponse> ListEntries(ListEntriesRequest request, ServerCallContext context)
    {
        var records = await _directory.ListAsync(request.Org, request.Prefix, context.CancellationToken);
        var page = (int)(request.PageSize is 0 or > 1000 ? 1000 : request.PageSize);
        var after = request.PageToken;
        var slice = records.Where(r => string.CompareOrdinal(r.Name, after) > 0 && (request.Region.Length == 0 || r.HomeRegion == request.Region)).Take(page + 1).ToList();
        var response = new ListEntriesResponse();
        response.Entries.AddRange(slice.Take(page).Select(r => new DirectoryEntry
        {
            NamespaceName = r.Name,
            NamespaceId = r.NamespaceId,
            HomeRegion = r.HomeRegion,
            CreatedAt = Timestamp.FromDateTimeOffset(r.CreatedAt),
        }));
        response.NextPageToken = slice.Count > page ? slice[page - 1].Name : string.Empty;
        return response;
    }

    public override async Task<AuthenticateApiKeyResponse> AuthenticateApiKey(AuthenticateApiKeyRequest request, ServerCallContext context)
    {
        ApiKeyRecord key;
        try
        {
            key = await _apiKeys.AuthenticateAsync(request.ApiKey, request.EndpointId, context.CancellationToken);
        }
        catch (MoatException e)
        {
            // Only the key's id (never the secret) is recorded, and only when the key parses.
            var id = ApiKeySecret.TryParse(request.ApiKey, out var keyId, out _) ? keyId : null;
            _audit.Authenticated(null, id, request.EndpointId, e.Reason);
            throw;
        }

        _audit.Authenticated(key.Org, key.Id, request.EndpointId, ErrorReason.Unspecified);
        return new AuthenticateApiKeyResponse
        {
            Org = key.Org,
            ApiKeyId = key.Id,
            Role = ApiKeyRegistry.ParseRole(key.Role),
            NamespacePrefix = key.NamespacePrefix,
            ExpiresAtUnixMs = key.ExpiresAt?.ToUnixTimeMilliseconds() ?? 0,
            CacheTtl = Duration.FromTimeSpan(ApiKeyRegistry.CacheTtl),
        };
    }
}
