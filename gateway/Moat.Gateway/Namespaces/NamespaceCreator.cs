using Grpc.Core;
using Microsoft.Extensions.Options;
using Moat.Gateway.Authentication;
using Moat.Gateway.Forwarding;
using Moat.Hosting;
using Moat.Hosting.Configuration;
using Moat.Hosting.Errors;
using Moat.Hosting.Principals;
using Moat.Internal.V1;
using Moat.Storage.Namespaces;
using Moat.V1;

namespace Moat.Gateway.Namespaces;

/// <summary>A namespace that exists now (created by this call or earlier), as InitNamespace reported it.</summary>
public sealed record CreatedNamespace(string NamespaceId, string HomeRegion, bool Created, InitNamespaceResponse Init);

/// <summary>
/// The one namespace creation routine (DESIGN section 4), used by <c>RegionService.CreateNamespace</c>
/// and by a first <c>Write</c> carrying <c>create_config</c>: validate the config (before anything
/// is reserved), <c>Directory.Reserve</c> (create-if-absent; the opaque id), then this region's
/// write service <c>NamespaceAdmin.InitNamespace</c> with the caller's principal (KEK, then meta
/// create-if-absent). Every step is idempotent: a crash between them is repaired by the next call.
/// A name already homed in another region answers WRONG_REGION.
/// </summary>
public sealed class NamespaceCreator
{
    private const string InitMethod = "/moat.internal.v1.NamespaceAdmin/InitNamespace";
    private readonly Moat.Internal.V1.Directory.DirectoryClient _directory;
    private readonly NamespaceAdmin.NamespaceAdminClient _admin;
    private readonly PrincipalSigner _signer;
    private readonly MoatOptions _moat;
    private readonly ForwardingOptions _forwarding;
    private readonly TimeProvider _time;

    public NamespaceCreator(Moat.Internal.V1.Directory.DirectoryClient directory, NamespaceAdmin.NamespaceAdminClient admin, PrincipalSigner signer,
        IOptions<MoatOptions> moat, IOptions<ForwardingOptions> forwarding, TimeProvider time)
    {
        _directory = directory;
        _admin = admin;
        _signer = signer;
        _moat = moat.Value;
        _forwarding = forwarding.Value;
        _time = time;
    }

    /// <param name="configField">Where the config sits in the caller's request (<c>config</c> or <c>create_config</c>), for field paths.</param>
    public async Task<CreatedNamespace> CreateAsync(ApiKeyIdentity caller, string endpointId, string name, NamespaceConfig? config, string configField, CancellationToken cancellationToken)
    {
        var violations = NamespaceConfigRules.Validate(config, configField).Select(v => new FieldViolation(v.Field, v.Description)).ToList();
        if (!NamespaceConfigRules.IsValidNamespaceName(name))
        {
            violations.Insert(0, new FieldViolation("namespace", "must match [A-Za-z0-9-_.]{1,128}"));
        }

        if (violations.Count > 0)
        {
            throw new MoatValidationException(violations);
        }

        var keyId = config?.Encryption?.KeyId ?? string.Empty;
        ReserveResponse reserved;
        try
        {
            reserved = await _directory.ReserveAsync(new ReserveRequest { Org = caller.Org, NamespaceName = name, Region = _moat.Region, KeyId = keyId }, cancellationToken: cancellationToken);
        }
        catch (RpcException e)
        {
            throw e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded
                ? new MoatException(StatusCode.Unavailable, ErrorReason.DirectoryUnavailable, "the directory cannot be reached to reserve the namespace; retry later")
                : InternalErrors.Translate(e, MoatServices.Router);
        }

        if (reserved.HomeRegion != _moat.Region)
        {
            throw await WrongRegionAsync(caller.Org, name, reserved.HomeRegion, cancellationToken);
        }

        var now = _time.GetUtcNow();
        var token = new PrincipalToken
        {
            Kind = PrincipalKind.ApiKey,
            Org = caller.Org,
            ApiKeyId = caller.KeyId,
            Role = caller.Role,
            NamespaceScope = caller.NamespacePrefix,
            EndpointId = endpointId,
            Method = InitMethod,
            Namespace = name,
            NamespaceId = reserved.NamespaceId,
            Region = _moat.Region,
            Audience = MoatServices.Write,
            IssuedAtUnixMs = now.ToUnixTimeMilliseconds(),
            ExpiresAtUnixMs = (now + _forwarding.PrincipalLifetime).ToUnixTimeMilliseconds(),
        };

        try
        {
            var init = await _admin.InitNamespaceAsync(
                new InitNamespaceRequest { Org = caller.Org, NamespaceId = reserved.NamespaceId, NamespaceName = name, Config = config ?? new NamespaceConfig() },
                new Metadata { { PrincipalMetadata.Header, _signer.Sign(token) } },
                cancellationToken: cancellationToken);
            return new CreatedNamespace(reserved.NamespaceId, reserved.HomeRegion, init.Created, init);
        }
        catch (RpcException e)
        {
            throw InternalErrors.Translate(e, MoatServices.Write);
        }
    }

    /// <summary>WRONG_REGION with the home region and its endpoint (from the directory, when it can say).</summary>
    public async Task<MoatException> WrongRegionAsync(string org, string name, string homeRegion, CancellationToken cancellationToken)
    {
        var endpoint = string.Empty;
        try
        {
            var located = await _directory.ResolveAsync(new ResolveRequest { Org = org, NamespaceName = name }, cancellationToken: cancellationToken);
            endpoint = located.HomeRegion == homeRegion ? located.HomeEndpoint : string.Empty;
        }
        catch (RpcException)
        {
            // The home region is known; its endpoint is a courtesy.
        }

        return new MoatException(StatusCode.FailedPrecondition, ErrorReason.WrongRegion, $"the namespace lives in region {homeRegion}",
            new Dictionary<string, string> { ["home_region"] = homeRegion, ["home_endpoint"] = endpoint });
    }
}
