using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Testing;
using Moat.V1;

namespace Moat.Functional.Tests;

/// <summary>
/// A service acts only for a principal signed by its region's gateway, for it, for this method, now,
/// and for the namespace in the request. Each test calls the write service directly with the
/// gateway's identity (so the call policy lets it in) and a token the test made.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class PrincipalTokenTests : IDisposable
{
    private const string Method = "/moat.v1.WriteService/Write";
    private readonly DevStackFixture _stack;
    private readonly StackPki _pki;
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _gateway;

    public PrincipalTokenTests(DevStackFixture stack)
    {
        _stack = stack;
        _pki = new StackPki(stack.PkiDir);
        _gateway = _pki.Service("gateway");
    }

    private async Task<RpcException> WriteAsync(byte[]? principal, string ns = "docs")
    {
        using var channel = MtlsClient.Channel($"https://127.0.0.1:{_stack.InternalPorts["write"]}", _pki.Root, _gateway, _pki.ServiceCa);
        var metadata = new Metadata();
        if (principal is not null)
        {
            metadata.Add("moat-principal-bin", principal);
        }

        return await Assert.ThrowsAsync<RpcException>(() =>
            new WriteService.WriteServiceClient(channel).WriteAsync(new WriteRequest { Namespace = ns }, metadata, DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
    }

    private static void Refused(RpcException e, StatusCode status, string reason)
    {
        Assert.Equal(status, e.StatusCode);
        Assert.Equal(reason, RpcErrors.ReasonOf(e));
    }

    [Fact]
    public async Task A_valid_gateway_principal_is_accepted()
    {
        var e = await WriteAsync(TestPrincipals.Sign(TestPrincipals.Token("dev", Role.Write, "write", Method, "docs"), _gateway));
        // Accepted: the write service acts and answers for the namespace (not created, so no id).
        Refused(e, StatusCode.NotFound, "NAMESPACE_NOT_FOUND");
    }

    [Fact]
    public async Task No_principal_is_refused() =>
        Refused(await WriteAsync(null), StatusCode.Unauthenticated, "PRINCIPAL_MISSING");

    [Fact]
    public async Task A_forged_signature_is_refused() =>
        Refused(await WriteAsync(TestPrincipals.Sign(TestPrincipals.Token("dev", Role.Write, "write", Method, "docs"), _gateway, corrupt: true)), StatusCode.Unauthenticated, "PRINCIPAL_INVALID");

    [Fact]
    public async Task A_token_signed_by_a_non_gateway_identity_is_refused()
    {
        using var query = _pki.Service("query");
        Refused(await WriteAsync(TestPrincipals.Sign(TestPrincipals.Token("dev", Role.Write, "write", Method, "docs"), query)), StatusCode.PermissionDenied, "PRINCIPAL_SIGNER_NOT_ALLOWED");
    }

    [Fact]
    public async Task A_token_signed_by_a_gateway_of_another_region_is_refused()
    {
        using var foreign = _pki.Service("gateway", region: "eu-west-9");
        Refused(await WriteAsync(TestPrincipals.Sign(TestPrincipals.Token("dev", Role.Write, "write", Method, "docs"), foreign)), StatusCode.PermissionDenied, "PRINCIPAL_SIGNER_NOT_ALLOWED");
    }

    [Fact]
    public async Task A_gateway_identity_from_the_operator_intermediate_cannot_sign()
    {
        using var impostor = _pki.Service("gateway", issuer: _pki.OperatorCa);
        Refused(await WriteAsync(TestPrincipals.Sign(TestPrincipals.Token("dev", Role.Write, "write", Method, "docs"), impostor)), StatusCode.PermissionDenied, "PRINCIPAL_SIGNER_NOT_ALLOWED");
    }

    [Fact]
    public async Task An_expired_token_is_refused() =>
        Refused(await WriteAsync(TestPrincipals.Sign(TestPrincipals.Token("dev", Role.Write, "write", Method, "docs", TimeSpan.FromSeconds(30), DateTimeOffset.UtcNow.AddMinutes(-2)), _gateway)), StatusCode.Unauthenticated, "PRINCIPAL_EXPIRED");

    [Fact]
    public async Task A_token_living_longer_than_sixty_seconds_is_refused() =>
        Refused(await WriteAsync(TestPrincipals.Sign(TestPrincipals.Token("dev", Role.Write, "write", Method, "docs", TimeSpan.FromMinutes(10)), _gateway)), StatusCode.Unauthenticated, "PRINCIPAL_EXPIRED");

    [Fact]
    public async Task A_token_for_another_audience_is_refused() =>
        Refused(await WriteAsync(TestPrincipals.Sign(TestPrincipals.Token("dev", Role.Write, "query", Method, "docs"), _gateway)), StatusCode.PermissionDenied, "PRINCIPAL_WRONG_AUDIENCE");

    [Fact]
    public async Task A_token_for_another_method_is_refused() =>
        Refused(await WriteAsync(TestPrincipals.Sign(TestPrincipals.Token("dev", Role.Write, "write", "/moat.v1.WriteService/DeleteNamespace", "docs"), _gateway)), StatusCode.PermissionDenied, "PRINCIPAL_WRONG_AUDIENCE");

    [Fact]
    public async Task A_token_whose_namespace_differs_from_the_request_is_refused() =>
        Refused(await WriteAsync(TestPrincipals.Sign(TestPrincipals.Token("dev", Role.Write, "write", Method, "docs"), _gateway), ns: "secrets"), StatusCode.PermissionDenied, "PRINCIPAL_NAMESPACE_MISMATCH");

    [Fact]
    public async Task Garbage_in_the_principal_header_is_refused() =>
        Refused(await WriteAsync([1, 2, 3, 4, 5]), StatusCode.Unauthenticated, "PRINCIPAL_INVALID");

    public void Dispose()
    {
        _gateway.Dispose();
        _pki.Dispose();
    }
}
