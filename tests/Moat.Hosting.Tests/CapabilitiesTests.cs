using Moat.Hosting.Errors;

namespace Moat.Hosting.Tests;

public class CapabilitiesTests
{
    [Theory]
    [InlineData("/moat.v1.WriteService/Write", "the write path")]
    [InlineData("/moat.v1.QueryService/Export", "the read path")]
    [InlineData("/moat.v1.AccessService/ApproveOperatorAccess", "operator access")]
    [InlineData("/moat.v1.AccessService/ListAuditEvents", "audit reading and verification")]
    [InlineData("/moat.v1.RegionService/CopyNamespace", "the region router and residency")]
    [InlineData("/moat.v1.WriteService/UpdateSchema", "schema updates")]
    [InlineData("/moat.v2.Unknown/X", "a later capability")]
    public void An_rpc_not_built_yet_names_the_capability_it_belongs_to(string method, string capability) =>
        Assert.Equal(capability, Capabilities.Of(method));
}
