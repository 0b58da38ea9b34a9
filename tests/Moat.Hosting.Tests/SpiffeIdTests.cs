using Moat.Hosting.Identity;

namespace Moat.Hosting.Tests;

public class SpiffeIdTests
{
    [Theory]
    [InlineData("spiffe://moat.dev/region/eu-1/write", SpiffeIdKind.Service, "eu-1", "write")]
    [InlineData("spiffe://moat.dev/operator/alice", SpiffeIdKind.Operator, "", "alice")]
    public void Parses_service_and_operator_ids(string value, SpiffeIdKind kind, string region, string name)
    {
        Assert.True(SpiffeId.TryParse(value, out var id));
        Assert.Equal(kind, id.Kind);
        Assert.Equal("moat.dev", id.TrustDomain);
        Assert.Equal(region, id.Region);
        Assert.Equal(name, id.Name);
        Assert.Equal(value, id.ToString());
    }

    [Theory]
    [InlineData("https://moat.dev/region/eu-1/write")]
    [InlineData("spiffe://moat.dev/region/eu-1")]
    [InlineData("spiffe://moat.dev/region//write")]
    [InlineData("spiffe://moat.dev/zone/eu-1/write")]
    [InlineData("spiffe://moat.dev/operator/alice/extra")]
    [InlineData("spiffe://moat.dev/region/eu-1/write?x=1")]
    [InlineData("")]
    public void Refuses_anything_else(string value)
    {
        Assert.False(SpiffeId.TryParse(value, out _));
    }
}
