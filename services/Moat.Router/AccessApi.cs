using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Hosting.Principals;
using Moat.Internal.V1;
using Moat.Audit;
using AuditEventKind = Moat.Audit.AuditEventKind;
using Moat.Router.ApiKeys;
using Moat.Router.Audit;
using Moat.Router.Endpoints;
using Moat.Router.Persistence;
using Moat.V1;
using Endpoint = Moat.V1.Endpoint;

namespace Moat.Router;

/// <summary>
/// <c>moat.v1.AccessService</c>: who am I, API keys and endpoints of the caller's org. Audit and
/// operator-access RPCs belong to later capabilities and answer UNIMPLEMENTED naming them.
/// </summary>
internal sealed class AccessApi : AccessService.AccessServiceBase
{
    private readonly ApiKeyRegistry _apiKeys;
    private readonly EndpointRegistry _endpoints;
    private readonly RouterAudit _audit;

    public AccessApi(ApiKeyRegistry apiKeys, EndpointRegistry endpoints, RouterAudit audit)
    {
        _apiKeys = apiKeys;
        _endpoints = endpoints;
        _audit = audit;
    }

    public override Task<WhoAmIResponse> WhoAmI(WhoAmIRequest request, ServerCallContext context)
    {
        var caller = CallerPrincipal.Get(context);
        return Task.FromResult(new WhoAmIResponse
        {
            Org = caller.Org,
            ApiKeyId = caller.ApiKeyId,
            Role = caller.Role,
            NamespacePrefix = caller.NamespaceScope,
            Region = caller.Region,
            EndpointId = caller.EndpointId,
        });
    }

    public override async Task<CreateApiKeyResponse> CreateApiKey(CreateApiKeyRequest request, ServerCallContext context)
    {
        var caller = RequireAdmin(context);
        var (record, full) = await _apiKeys.CreateAsync(
            caller.Org, request.Role, request.DisplayName, request.NamespacePrefix, request.EndpointId,
            request.ExpiresAt?.ToDateTimeOffset(), $"api-key:{caller.ApiKeyId}", context.CancellationToken);
        await _audit.ChangedAsync(AuditEventKind.ApiKeyChange, caller.Org, caller.ApiKeyId, $"api-key:{record.Id}:created:{record.Role}", context.CancellationToken);
        return new CreateApiKeyResponse { ApiKey = ToProto(record), Secret = full };
    }

    public override async Task<ListApiKeysResponse> ListApiKeys(ListApiKeysRequest request, ServerCallContext context)
    {
        var caller = RequireAdmin(context);
        var response = new ListApiKeysResponse();
        response.ApiKeys.AddRange((await _apiKeys.ListAsync(caller.Org, request.IncludeInactive, context.CancellationToken)).Select(ToProto));
        return response;
    }

    public override async Task<ApiKey> RevokeApiKey(RevokeApiKeyRequest request, ServerCallContext context)
    {
        var caller = RequireAdmin(context);
        var revoked = await _apiKeys.RevokeAsync(caller.Org, request.ApiKeyId, context.CancellationToken);
        await _audit.ChangedAsync(AuditEventKind.ApiKeyChange, caller.Org, caller.ApiKeyId, $"api-key:{revoked.Id}:revoked", context.CancellationToken);
        return ToProto(revoked);
    }

    public override async Task<Endpoint> RegisterEndpoint(RegisterEndpointRequest request, ServerCallContext context)
    {
        var caller = RequireAdmin(context);
        var endpoint = await _endpoints.RegisterAsync(caller.Org, request.EndpointId, request.Kind, request.Region, request.DisplayName, $"api-key:{caller.ApiKeyId}", context.CancellationToken);
        await _audit.ChangedAsync(AuditEventKind.SettingChange, caller.Org, caller.ApiKeyId, AuditSubject("endpoint-registered", endpoint.Id), context.CancellationToken);
        return ToProto(endpoint);
    }

    public override async Task<ListEndpointsResponse> ListEndpoints(ListEndpointsRequest request, ServerCallContext context)
    {
        var caller = RequireAdmin(context);
        var response = new ListEndpointsResponse();
        response.Endpoints.AddRange((await _endpoints.ListAsync(caller.Org, context.CancellationToken)).Select(ToProto));
        return response;
    }

    public override async Task<RemoveEndpointResponse> RemoveEndpoint(RemoveEndpointRequest request, ServerCallContext context)
    {
        var caller = RequireAdmin(context);
        if (request.EndpointId == caller.EndpointId)
        {
            throw new MoatException(StatusCode.FailedPrecondition, ErrorReason.InvalidArgument, "an admin cannot remove the endpoint it is calling through (it would lock itself out)");
        }

        await _endpoints.RemoveAsync(caller.Org, request.EndpointId, context.CancellationToken);
        await _audit.ChangedAsync(AuditEventKind.SettingChange, caller.Org, caller.ApiKeyId, AuditSubject("endpoint-removed", request.EndpointId), context.CancellationToken);
        return new RemoveEndpointResponse();
    }

    // Endpoint ids are customer-chosen: only identifier-safe ones are named in the record.
    private static string AuditSubject(string what, string id) =>
        Moat.Audit.AuditIdentifier.IsValid($"{what}:{id}") ? $"{what}:{id}" : what;

    // The gateway already checked the role; a service that acts for a caller checks again.
    private static PrincipalToken RequireAdmin(ServerCallContext context)
    {
        var caller = CallerPrincipal.Get(context);
        return caller.Role == Role.Admin
            ? caller
            : throw new MoatException(StatusCode.PermissionDenied, ErrorReason.RoleNotAllowed, $"{context.Method} needs an admin key");
    }

    private static ApiKey ToProto(ApiKeyRecord r) => new()
    {
        Id = r.Id,
        DisplayName = r.DisplayName,
        Role = ApiKeyRegistry.ParseRole(r.Role),
        NamespacePrefix = r.NamespacePrefix,
        EndpointId = r.EndpointId,
        CreatedAt = Timestamp.FromDateTimeOffset(r.CreatedAt),
        ExpiresAt = r.ExpiresAt is { } e ? Timestamp.FromDateTimeOffset(e) : null,
        RevokedAt = r.RevokedAt is { } v ? Timestamp.FromDateTimeOffset(v) : null,
        CreatedBy = r.CreatedBy,
    };

    private static Endpoint ToProto(EndpointRecord r) => new()
    {
        Id = r.Id,
        Kind = System.Enum.Parse<EndpointKind>(r.Kind),
        Region = r.Region,
        DisplayName = r.DisplayName,
        CreatedAt = Timestamp.FromDateTimeOffset(r.CreatedAt),
        CreatedBy = r.CreatedBy,
    };
}
