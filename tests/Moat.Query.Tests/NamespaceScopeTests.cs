using Moat.Query.Namespaces;

namespace Moat.Query.Tests;

public sealed class NamespaceScopeTests
{
    [Theory]
    [InlineData("", "", "")]
    [InlineData("team-", "", "team-")]
    [InlineData("", "team-", "team-")]
    [InlineData("team-a", "team-", "team-a")]
    [InlineData("te", "team-", "team-")]
    [InlineData("other", "team-", null)]
    public void A_listing_never_reaches_outside_the_keys_scope(string requested, string scope, string? expected) =>
        Assert.Equal(expected, NamespaceScope.Intersect(requested, scope));
}
