using Grpc.Core;
using Microsoft.Extensions.Options;
using Moat.Gateway.Authentication;
using Moat.Hosting.Configuration;
using Moat.Hosting.Errors;
using Moat.Storage.Namespaces;
using Moat.V1;

namespace Moat.Gateway.Namespaces;

/// <summary>
/// <c>RegionService.CreateNamespace</c>, answered by the gateway itself rather than forwarded to
/// the router: creation is a regional act (DESIGN section 4: always through the gateway of the home
/// region, gateway → router Reserve → this region's write InitNamespace), and only the gateway can
/// sign the caller's principal that KeyVault needs for the new namespace's key. Idempotent for the
/// same config; an existing namespace with another config is NAMESPACE_ALREADY_EXISTS.
/// </summary>
public sealed class CreateNamespaceHandler
{
    private readonly NamespaceCreator _creator;
    private readonly MoatOptions _moat;

    public CreateNamespaceHandler(NamespaceCreator creator, IOptions<MoatOptions> moat)
    {
        _creator = creator;
        _moat = moat.Value;
    }

    public async Task<CreateNamespaceResponse> CreateAsync(ApiKeyIdentity caller, string endpointId, CreateNamespaceRequest request, CancellationToken cancellationToken)
    {
        if (request.Region.Length > 0 && request.Region != _moat.Region)
        {
            // Creation happens only at the gateway of the home region.
            throw new MoatException(StatusCode.FailedPrecondition, ErrorReason.WrongRegion, $"create the namespace through the gateway of region {request.Region}; this is {_moat.Region}",
                new Dictionary<string, string> { ["home_region"] = request.Region, ["home_endpoint"] = string.Empty });
        }

        var created = await _creator.CreateAsync(caller, endpointId, request.Namespace, request.Config, "config", cancellationToken);
        if (!created.Created && !NamespaceConfigRules.IsSatisfiedBy(request.Config, created.Init.Config))
        {
            throw new MoatException(StatusCode.AlreadyExists, ErrorReason.NamespaceAlreadyExists, "a namespace with this name already exists with another config",
                new Dictionary<string, string> { ["namespace"] = request.Namespace, ["home_region"] = created.HomeRegion });
        }

        return new CreateNamespaceResponse
        {
            Created = created.Created,
            Info = new NamespaceInfo
            {
                Name = request.Namespace,
                HomeRegion = created.HomeRegion,
                Config = created.Init.Config,
                CreatedAt = created.Init.CreatedAt,
                Encryption = new NamespaceEncryption
                {
                    KeyId = created.Init.Config.Encryption?.KeyId ?? string.Empty,
                    KekVersion = created.Init.KekVersion,
                },
            },
        };
    }
}
