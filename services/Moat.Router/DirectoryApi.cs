using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Moat.Internal.V1;
using Moat.Router.ApiKeys;
using Moat.Router.Namespaces;
using Moat.V1;

namespace Moat.Router;

/// <summary><c>moat.internal.v1.Directory</c>: namespace directory and API key checks for gateways and services.</summary>
internal sealed class DirectoryApi : Moat.Internal.V1.Directory.DirectoryBase
{
    private readonly NamespaceDirectory _directory;
    private readonly ApiKeyRegistry _apiKeys;

    public DirectoryApi(NamespaceDirectory directory, ApiKeyRegistry apiKeys)
    {
        _directory = directory;
        _apiKeys = apiKeys;
    }

    public override async Task<ReserveResponse> Reserve(ReserveRequest request, ServerCallContext context)
    {
        var (record, created) = await _directory.ReserveAsync(request.Org, request.NamespaceName, request.Region, request.KeyId, context.CancellationToken);
        return new ReserveResponse { NamespaceId = record.NamespaceId, HomeRegion = record.HomeRegion, Created = created, KeyId = record.KeyId };
    }

    public override async Task<ResolveResponse> Resolve(ResolveRequest request, ServerCallContext context)
    {
        var record = await _directory.ResolveAsync(request.Org, request.NamespaceName, context.CancellationToken);
        return new ResolveResponse
        {
            NamespaceId = record.NamespaceId,
            HomeRegion = record.HomeRegion,
            KeyId = record.KeyId,
            CacheTtl = Duration.FromTimeSpan(ApiKeyRegistry.CacheTtl),
        };
    }

    public override async Task<ReleaseResponse> Release(ReleaseRequest request, ServerCallContext context) =>
        new() { Released = await _directory.ReleaseAsync(request.Org, request.NamespaceName, request.NamespaceId, context.CancellationToken) };

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
        var key = await _apiKeys.AuthenticateAsync(request.ApiKey, request.EndpointId, context.CancellationToken);
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
