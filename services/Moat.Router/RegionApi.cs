using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Moat.Audit.RootOfTrust;
using Moat.Hosting;
using Moat.Hosting.Principals;
using Moat.Router.Audit;
using Moat.Router.Orgs;
using Moat.Router.Regions;
using Moat.V1;

namespace Moat.Router;

/// <summary>
/// <c>moat.v1.RegionService</c>. ListRegions publishes the deployment's regions, whether the caller's
/// residency policy allows each, and the audit verification keys of every region (KeyVault's) and of the router (customers pin them). The
/// namespace operations (create, locate, copy, branch, restore) and operations come with the
/// region router and write-path capabilities, and answer UNIMPLEMENTED naming them.
/// </summary>
internal sealed class RegionApi : RegionService.RegionServiceBase
{
    private readonly RegionCatalogOptions _catalog;
    private readonly OrgRegistry _orgs;
    private readonly RootWrappedAuditSigner _signer;

    public RegionApi(IOptions<RegionCatalogOptions> catalog, OrgRegistry orgs, RouterAuditStack audit)
    {
        _catalog = catalog.Value;
        _orgs = orgs;
        _signer = audit.Signer;
    }

    public override async Task<ListRegionsResponse> ListRegions(ListRegionsRequest request, ServerCallContext context)
    {
        var caller = CallerPrincipal.Get(context);
        var org = await _orgs.FindAsync(caller.Org, context.CancellationToken);
        var response = new ListRegionsResponse();
        foreach (var region in _catalog.Regions)
        {
            var entry = new Region
            {
                Name = region.Name,
                Cloud = region.Cloud,
                Endpoint = region.Endpoint,
                AllowedByResidencyPolicy = org is null || org.AllowedRegions.Count == 0 || org.AllowedRegions.Contains(region.Name),
            };
            entry.AuditKeys.AddRange(region.AuditKeys.Select(k => new AuditVerificationKey
            {
                KeyId = k.KeyId,
                Signer = MoatServices.Keys,
                Region = region.Name,
                Algorithm = SignatureAlgorithm.EcdsaP256Sha256,
                PublicKeySpki = ByteString.CopyFrom(Convert.FromBase64String(k.PublicKey)),
            }));
            response.Regions.Add(entry);
        }

        var (keyId, spki) = await _signer.PublicKeyAsync(context.CancellationToken);
        response.RouterAuditKeys.Add(new AuditVerificationKey
        {
            KeyId = keyId,
            Signer = MoatServices.Router,
            Region = MoatServices.GlobalRegion,
            Algorithm = SignatureAlgorithm.EcdsaP256Sha256,
            PublicKeySpki = ByteString.CopyFrom(spki),
        });
        return response;
    }
}
