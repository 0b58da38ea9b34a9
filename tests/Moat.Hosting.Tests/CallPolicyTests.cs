using Moat.Hosting;
using Moat.Hosting.Identity;

namespace Moat.Hosting.Tests;

/// <summary>One test per row of the call matrix (DESIGN section 9): who gets in, and who does not.</summary>
public class CallPolicyTests
{
    private const string Td = "moat.dev";
    private const string Here = "eu-1";
    private const string There = "us-1";

    private static SpiffeId Svc(string service, string region = Here) => SpiffeId.ForService(Td, region, service);

    private static SpiffeId Router => SpiffeId.ForService(Td, MoatServices.GlobalRegion, MoatServices.Router);

    private static SpiffeId Operator => SpiffeId.ForOperator(Td, "alice");

    private static void Allowed(string method, params SpiffeId[] callers)
    {
        foreach (var caller in callers)
        {
            Assert.True(CallPolicy.IsAllowed(method, caller, Here), $"{caller} should be allowed to call {method}");
        }
    }

    private static void Refused(string method, params SpiffeId[] callers)
    {
        foreach (var caller in callers)
        {
            Assert.False(CallPolicy.IsAllowed(method, caller, Here), $"{caller} must not call {method}");
        }
    }

    [Fact]
    public void KeyVault_admits_write_and_query_of_its_region_only()
    {
        const string m = "/moat.internal.v1.KeyVault/GetCurrentDataKey";
        Allowed(m, Svc("write"), Svc("query"));
        Refused(m, Svc("write", There), Svc("query", There), Svc("gateway"), Svc("keys"), Router, Operator);
    }

    [Fact]
    public void KeyVault_SignAuditDigest_admits_every_service_of_its_region()
    {
        const string m = "/moat.internal.v1.KeyVault/SignAuditDigest";
        Allowed(m, Svc("gateway"), Svc("write"), Svc("query"), Svc("keys"));
        Refused(m, Svc("write", There), Svc("gateway", There), Router, Operator);
    }

    [Fact]
    public void KeyVault_GetAuditKeyring_admits_every_service_of_its_region()
    {
        const string m = "/moat.internal.v1.KeyVault/GetAuditKeyring";
        Allowed(m, Svc("gateway"), Svc("write"), Svc("query"), Svc("keys"));
        Refused(m, Svc("query", There), Router, Operator);
    }

    [Fact]
    public void KeyService_admits_the_gateway_of_its_region_only()
    {
        const string m = "/moat.v1.KeyService/CreateKey";
        Allowed(m, Svc("gateway"));
        Refused(m, Svc("gateway", There), Svc("write"), Svc("query"), Svc("keys"), Router, Operator);
    }

    [Fact]
    public void Directory_admits_gateway_write_and_query_of_any_region()
    {
        const string m = "/moat.internal.v1.Directory/Resolve";
        Allowed(m, Svc("gateway"), Svc("write"), Svc("query"), Svc("gateway", There), Svc("write", There), Svc("query", There));
        Refused(m, Svc("keys"), Router, Operator);
    }

    [Fact]
    public void Directory_CheckGrant_admits_keys_only()
    {
        const string m = "/moat.internal.v1.Directory/CheckGrant";
        Allowed(m, Svc("keys"), Svc("keys", There));
        Refused(m, Svc("gateway"), Svc("write"), Svc("query"), Router, Operator);
    }

    [Theory]
    [InlineData("/moat.v1.WriteService/Write")]
    [InlineData("/moat.v1.QueryService/Query")]
    public void Public_data_services_admit_the_gateway_of_their_region_only(string m)
    {
        Allowed(m, Svc("gateway"));
        Refused(m, Svc("gateway", There), Svc("write"), Svc("query"), Svc("keys"), Router, Operator);
    }

    [Fact]
    public void NamespaceAdmin_admits_the_gateway_of_its_region_and_the_router()
    {
        const string m = "/moat.internal.v1.NamespaceAdmin/InitNamespace";
        Allowed(m, Svc("gateway"), Router);
        Refused(m, Svc("gateway", There), Svc("write"), Svc("query"), Svc("keys"), Operator);
    }

    [Fact]
    public void SnapshotSource_admits_write_of_another_region_only()
    {
        const string m = "/moat.internal.v1.SnapshotSource/OpenSnapshot";
        Allowed(m, Svc("write", There));
        Refused(m, Svc("write"), Svc("query", There), Svc("gateway", There), Router, Operator);
    }

    [Theory]
    [InlineData("/moat.v1.RegionService/ListRegions")]
    [InlineData("/moat.v1.AccessService/WhoAmI")]
    public void Router_public_services_admit_gateways_of_any_region(string m)
    {
        Allowed(m, Svc("gateway"), Svc("gateway", There));
        Refused(m, Svc("write"), Svc("query"), Svc("keys"), Router, Operator);
    }

    [Fact]
    public void Health_admits_any_identity_of_the_deployment()
    {
        const string m = "/grpc.health.v1.Health/Check";
        Allowed(m, Svc("gateway"), Svc("write", There), Router, Operator);
    }

    [Fact]
    public void A_service_without_a_row_admits_nobody()
    {
        Refused("/moat.v1.Unknown/Anything", Svc("gateway"), Router, Operator);
    }

    [Fact]
    public void Every_row_names_a_real_service_and_admits_someone()
    {
        Assert.All(CallPolicy.Matrix, row => Assert.NotEmpty(row.Callers));
        Assert.Equal(CallPolicy.Matrix.Count, CallPolicy.Matrix.Select(r => (r.GrpcService, r.Method)).Distinct().Count());
    }
}
