using Moat.Gateway.Forwarding;
using Moat.V1;

namespace Moat.Gateway.Tests;

public class PublicRoutesTests
{
    [Theory]
    [InlineData("/moat.v1.WriteService/Write", "write", Role.Write, true)]
    [InlineData("/moat.v1.QueryService/Query", "query", Role.Read, true)]
    [InlineData("/moat.v1.QueryService/ListNamespaces", "query", Role.Read, false)]
    [InlineData("/moat.v1.KeyService/CreateKey", "keys", Role.Admin, false)]
    [InlineData("/moat.v1.RegionService/CreateNamespace", "router", Role.Write, true)]
    [InlineData("/moat.v1.AccessService/WhoAmI", "router", Role.Read, false)]
    [InlineData("/moat.v1.AccessService/CreateApiKey", "router", Role.Admin, false)]
    [InlineData("/moat.v1.WriteService/DeleteNamespace", "write", Role.Admin, true)]
    public void Each_public_rpc_has_its_upstream_least_role_and_namespace_field(string path, string upstream, Role role, bool hasNamespace)
    {
        var route = PublicRoutes.Find(path);
        Assert.NotNull(route);
        Assert.Equal(upstream, route.Upstream);
        Assert.Equal(role, route.RequiredRole);
        Assert.Equal(hasNamespace, route.HasNamespace);
    }

    [Fact]
    public void Internal_services_are_not_routed()
    {
        Assert.Null(PublicRoutes.Find("/moat.internal.v1.KeyVault/GetCurrentDataKey"));
        Assert.Null(PublicRoutes.Find("/moat.internal.v1.Directory/AuthenticateApiKey"));
        Assert.Null(PublicRoutes.Find("/grpc.health.v1.Health/Check"));
    }

    [Fact]
    public void Every_public_rpc_is_routed()
    {
        Assert.True(PublicRoutes.All.Count() >= 40);
        Assert.All(PublicRoutes.All, r => Assert.NotEqual(Role.Unspecified, r.RequiredRole));
    }

    [Theory]
    [InlineData(Role.Admin, Role.Read, true)]
    [InlineData(Role.Admin, Role.Admin, true)]
    [InlineData(Role.Write, Role.Read, true)]
    [InlineData(Role.Write, Role.Admin, false)]
    [InlineData(Role.Read, Role.Write, false)]
    [InlineData(Role.Unspecified, Role.Read, false)]
    [InlineData(Role.Admin, Role.Unspecified, false)]
    public void Roles_are_ordered_admin_write_read(Role held, Role required, bool ok) =>
        Assert.Equal(ok, PublicRoutes.Satisfies(held, required));
}
