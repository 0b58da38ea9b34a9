using Moat.Hosting.Identity;
using Moat.Hosting.Pki;
using Moat.Testing;

namespace Moat.Hosting.Tests;

public class TrustBundleTests : IClassFixture<TestPkiFixture>
{
    private readonly TestPki _pki;

    public TrustBundleTests(TestPkiFixture fixture)
    {
        _pki = fixture.Pki;
    }

    [Fact]
    public void A_service_certificate_from_the_service_intermediate_is_accepted_with_its_identity()
    {
        using var trust = _pki.Trust();
        using var cert = _pki.Service("write", "eu-1");
        Assert.True(trust.TryValidateClient(cert, out var id, out var error), error);
        Assert.Equal(SpiffeId.ForService(TestPki.TrustDomain, "eu-1", "write"), id);
    }

    [Fact]
    public void An_operator_intermediate_cannot_issue_a_service_identity()
    {
        using var trust = _pki.Trust();
        using var cert = _pki.Service("keys", issuer: _pki.OperatorCa);
        Assert.False(trust.TryValidateClient(cert, out _, out var error));
        Assert.Contains("service intermediate", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_service_intermediate_cannot_issue_an_operator_identity()
    {
        using var trust = _pki.Trust();
        using var cert = _pki.Operator("mallory", issuer: _pki.ServiceCa);
        Assert.False(trust.TryValidateClient(cert, out _, out _));
    }

    [Fact]
    public void A_certificate_of_another_root_is_refused()
    {
        using var trust = _pki.Trust();
        using var cert = _pki.Service("write", issuer: _pki.StrangerCa);
        Assert.False(trust.TryValidateClient(cert, out _, out var error));
        Assert.Contains("chain", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_is_refused()
    {
        using var trust = _pki.Trust();
        using var cert = _pki.Service("write", notBefore: DateTimeOffset.UtcNow.AddDays(-1), notAfter: DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.False(trust.TryValidateClient(cert, out _, out _));
    }

    [Fact]
    public void A_certificate_with_two_uri_sans_or_none_is_not_an_identity()
    {
        using var trust = _pki.Trust();
        using var two = CertificateAuthority.CreateLeafWithUris(_pki.ServiceCa, [new Uri("spiffe://moat.dev/region/dev-local/write"), new Uri("spiffe://moat.dev/region/dev-local/keys")], DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var none = CertificateAuthority.CreateLeafWithUris(_pki.ServiceCa, [], DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        Assert.False(trust.TryValidateClient(two, out _, out _));
        Assert.False(trust.TryValidateClient(none, out _, out _));
    }

    [Fact]
    public void Another_trust_domain_is_refused()
    {
        using var trust = _pki.Trust();
        using var cert = CertificateAuthority.CreateLeaf(_pki.ServiceCa, new Uri("spiffe://evil.example/region/dev-local/write"), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        Assert.False(trust.TryValidateClient(cert, out _, out var error));
        Assert.Contains("trust domain", error, StringComparison.Ordinal);
    }
}

public sealed class TestPkiFixture : IDisposable
{
    public TestPki Pki { get; } = new();

    public void Dispose() => Pki.Dispose();
}
