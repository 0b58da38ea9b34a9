using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using Moat.Hosting.Errors;
using Moat.Hosting.Principals;
using Moat.Internal.V1;
using Moat.Testing;
using Moat.V1;

namespace Moat.Hosting.Tests;

public class PrincipalVerifierTests : IClassFixture<TestPkiFixture>
{
    private const string Method = "/moat.v1.QueryService/Query";
    private readonly TestPki _pki;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public PrincipalVerifierTests(TestPkiFixture fixture)
    {
        _pki = fixture.Pki;
    }

    private PrincipalToken Token(PrincipalKind kind = PrincipalKind.ApiKey, string audience = "query", string ns = "docs") => new()
    {
        Kind = kind,
        Org = "acme",
        Role = Role.Read,
        Method = Method,
        Namespace = ns,
        Region = "dev-local",
        Audience = audience,
        IssuedAtUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
        ExpiresAtUnixMs = _time.GetUtcNow().AddSeconds(30).ToUnixTimeMilliseconds(),
        OperationId = kind == PrincipalKind.Job ? "op-1" : string.Empty,
    };

    private static byte[] Sign(PrincipalToken token, X509Certificate2 signer)
    {
        using var key = signer.GetECDsaPrivateKey()!;
        var body = token.ToByteArray();
        var signed = new SignedPrincipal
        {
            Token = ByteString.CopyFrom(body),
            Signature = ByteString.CopyFrom(key.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
        };
        signed.SignerChain.Add(ByteString.CopyFrom(signer.RawData));
        return signed.ToByteArray();
    }

    private PrincipalVerifier Verifier(string service = "query") => new(_pki.Trust(), service, "dev-local", _time);

    private static string Reason(Action verify) => Assert.Throws<MoatException>(verify).Reason.ToReason();

    [Fact]
    public void A_gateway_principal_for_this_service_method_and_namespace_verifies()
    {
        using var gateway = _pki.Service("gateway");
        var token = Verifier().Verify(Sign(Token(), gateway), Method, "docs");
        Assert.Equal("acme", token.Org);
    }

    [Fact]
    public void A_job_principal_must_be_signed_by_the_router()
    {
        using var router = _pki.Service("router", MoatServices.GlobalRegion);
        using var gateway = _pki.Service("gateway");
        Assert.Equal("op-1", Verifier().Verify(Sign(Token(PrincipalKind.Job), router), Method, "docs").OperationId);
        Assert.Equal("PRINCIPAL_SIGNER_NOT_ALLOWED", Reason(() => Verifier().Verify(Sign(Token(PrincipalKind.Job), gateway), Method, "docs")));
        Assert.Equal("PRINCIPAL_SIGNER_NOT_ALLOWED", Reason(() => Verifier().Verify(Sign(Token(), router), Method, "docs")));
    }

    [Fact]
    public void Expiry_is_checked_against_the_clock()
    {
        using var gateway = _pki.Service("gateway");
        var signed = Sign(Token(), gateway);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("PRINCIPAL_EXPIRED", Reason(() => Verifier().Verify(signed, Method, "docs")));
    }

    [Fact]
    public void A_token_from_the_future_is_refused()
    {
        using var gateway = _pki.Service("gateway");
        var token = Token();
        token.IssuedAtUnixMs += 60_000;
        token.ExpiresAtUnixMs += 60_000;
        Assert.Equal("PRINCIPAL_EXPIRED", Reason(() => Verifier().Verify(Sign(token, gateway), Method, "docs")));
    }

    [Fact]
    public void Audience_method_and_namespace_must_match()
    {
        using var gateway = _pki.Service("gateway");
        Assert.Equal("PRINCIPAL_WRONG_AUDIENCE", Reason(() => Verifier("write").Verify(Sign(Token(), gateway), Method, "docs")));
        Assert.Equal("PRINCIPAL_WRONG_AUDIENCE", Reason(() => Verifier().Verify(Sign(Token(), gateway), "/moat.v1.QueryService/Export", "docs")));
        Assert.Equal("PRINCIPAL_NAMESPACE_MISMATCH", Reason(() => Verifier().Verify(Sign(Token(), gateway), Method, "other")));
    }

    [Fact]
    public void A_token_whose_bytes_were_changed_after_signing_is_refused()
    {
        using var gateway = _pki.Service("gateway");
        var signed = SignedPrincipal.Parser.ParseFrom(Sign(Token(), gateway));
        var token = PrincipalToken.Parser.ParseFrom(signed.Token);
        token.Role = Role.Admin;
        signed.Token = token.ToByteString();
        Assert.Equal("PRINCIPAL_INVALID", Reason(() => Verifier().Verify(signed.ToByteArray(), Method, "docs")));
    }

    [Fact]
    public void A_signer_from_another_root_is_refused()
    {
        using var stranger = _pki.Service("gateway", issuer: _pki.StrangerCa);
        Assert.Equal("PRINCIPAL_SIGNER_NOT_ALLOWED", Reason(() => Verifier().Verify(Sign(Token(), stranger), Method, "docs")));
    }
}
