using Moat.Gateway.Forwarding;
using Moat.Gateway.Listeners;

namespace Moat.Gateway.Tests;

public class GatewayOptionsValidatorTests
{
    private static string? Validate(string kind, string address)
    {
        var options = new GatewayOptions();
        options.Listeners.Add(new CustomerListenerOptions { Name = "l", Kind = kind, Address = address, Port = 7400 });
        var result = new GatewayOptionsValidator().Validate(null, options);
        return result.Succeeded ? null : result.FailureMessage;
    }

    [Fact]
    public void A_loopback_dev_listener_on_loopback_is_accepted() => Assert.Null(Validate("loopback-dev", "127.0.0.1"));

    [Theory]
    [InlineData("0.0.0.0", "binds every interface")]
    [InlineData("::", "binds every interface")]
    [InlineData("10.0.0.5", "loopback only")]
    public void A_loopback_dev_listener_elsewhere_is_refused(string address, string reason) =>
        Assert.Contains(reason, Validate("loopback-dev", address), StringComparison.Ordinal);

    [Fact]
    public void An_unknown_kind_is_refused_naming_the_allowed_ones() =>
        Assert.Contains("loopback-dev", Validate("public-internet", "127.0.0.1"), StringComparison.Ordinal);

    [Theory]
    [InlineData("moat-principal-bin", true)]
    [InlineData("Moat-Anything", true)]
    [InlineData("authorization", true)]
    [InlineData("grpc-timeout", false)]
    [InlineData("x-request-id", false)]
    public void Client_headers_in_moats_namespace_and_credentials_are_never_forwarded(string header, bool stripped) =>
        Assert.Equal(stripped, PrincipalTransformer.IsStripped(header));
}
