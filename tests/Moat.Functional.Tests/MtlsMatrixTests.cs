using System.Security.Authentication;
using Grpc.Core;
using Grpc.Health.V1;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.Testing;
using Moat.V1;

namespace Moat.Functional.Tests;

/// <summary>
/// The mTLS matrix against every internal port of the running dev stack: only a certificate of our
/// deployment, issued by the right intermediate, valid now, over TLS 1.2+, gets a connection; and
/// only the identity the call matrix allows gets past the call policy.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class MtlsMatrixTests : IDisposable
{
    private readonly DevStackFixture _stack;
    private readonly StackPki _pki;

    public MtlsMatrixTests(DevStackFixture stack)
    {
        _stack = stack;
        _pki = new StackPki(stack.PkiDir);
    }

    public static TheoryData<string> Services => new() { "gateway", "write", "query", "keys", "router" };

    private string Address(string service) => $"https://127.0.0.1:{_stack.InternalPorts[service]}";

    private async Task<RpcException> HealthFailsAsync(string service, System.Security.Cryptography.X509Certificates.X509Certificate2? client, System.Security.Cryptography.X509Certificates.X509Certificate2? intermediate)
    {
        using var channel = MtlsClient.Channel(Address(service), _pki.Root, client, intermediate);
        return await Assert.ThrowsAsync<RpcException>(async () =>
            await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10)));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_valid_service_certificate_gets_health(string service)
    {
        using var cert = _pki.Service("gateway");
        using var channel = MtlsClient.Channel(Address(service), _pki.Root, cert, _pki.ServiceCa);
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task No_client_certificate_is_refused(string service)
    {
        AssertRefusedInHandshake(await HealthFailsAsync(service, null, null));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_certificate_from_another_CA_is_refused(string service)
    {
        using var strangerRoot = Moat.Hosting.Pki.CertificateAuthority.CreateRoot("stranger", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var strangerCa = Moat.Hosting.Pki.CertificateAuthority.CreateIntermediate(strangerRoot, "stranger ca", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var cert = _pki.Service("gateway", issuer: strangerCa);
        AssertRefusedInHandshake(await HealthFailsAsync(service, cert, strangerCa));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task An_expired_certificate_is_refused(string service)
    {
        using var cert = _pki.Service("gateway", notBefore: DateTimeOffset.UtcNow.AddDays(-2), notAfter: DateTimeOffset.UtcNow.AddMinutes(-1));
        AssertRefusedInHandshake(await HealthFailsAsync(service, cert, _pki.ServiceCa));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task An_operator_intermediate_certificate_claiming_a_service_identity_is_refused(string service)
    {
        using var cert = _pki.Service("gateway", issuer: _pki.OperatorCa);
        AssertRefusedInHandshake(await HealthFailsAsync(service, cert, _pki.OperatorCa));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Tls_1_1_is_refused_by_the_server(string service)
    {
        // Debian's OpenSSL refuses TLS 1.1 on its own side unless the security level is lowered:
        // with SECLEVEL=0 the client offers it, so a refusal here is the server's.
        var result = await ProcessRunner.RunAsync(
            "openssl",
            ["s_client", "-connect", $"127.0.0.1:{_stack.InternalPorts[service]}", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
            TimeSpan.FromSeconds(20),
            stdin: string.Empty);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("alert protocol version", result.Output, StringComparison.Ordinal);
        Assert.Contains("Cipher is (NONE)", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Plaintext_http2_is_refused(string service) =>
        await PlaintextProbe.AssertRefusedAsync(_stack.InternalPorts[service]);

    [Fact]
    public async Task The_gateway_customer_listener_refuses_plaintext_and_tls_1_1_and_serves_health_over_tls()
    {
        await PlaintextProbe.AssertRefusedAsync(_stack.BasePort);
        var result = await ProcessRunner.RunAsync(
            "openssl",
            ["s_client", "-connect", $"127.0.0.1:{_stack.BasePort}", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
            TimeSpan.FromSeconds(20),
            stdin: string.Empty);
        Assert.Contains("alert protocol version", result.Output, StringComparison.Ordinal);

        using var channel = MtlsClient.Channel(_stack.GatewayEndpoint, _pki.Root, clientCertificate: null);
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    /// <summary>
    /// The server refused the connection: the client never got a gRPC status from it (no ErrorInfo),
    /// and the call failed as a transport failure (UNAVAILABLE; a TLS 1.3 reset seen while starting
    /// the call can surface as INTERNAL "Error starting gRPC call").
    /// </summary>
    private static void AssertRefusedInHandshake(RpcException e)
    {
        Assert.Null(RpcErrors.ReasonOf(e));
        Assert.True(
            e.StatusCode == StatusCode.Unavailable || (e.StatusCode == StatusCode.Internal && e.Status.Detail.StartsWith("Error starting gRPC call", StringComparison.Ordinal)),
            $"expected a refused connection, got {e.Status}");
    }

    public static TheoryData<string, string, string> MatrixCases => new()
    {
        // service, identity the matrix refuses, identity it admits
        { "write", "query", "gateway" },
        { "query", "write", "gateway" },
        { "keys", "gateway", "write" },
        { "router", "keys", "gateway" },
    };

    [Theory]
    [MemberData(nameof(MatrixCases))]
    public async Task An_identity_the_matrix_refuses_gets_permission_denied_and_the_allowed_one_gets_through(string service, string refused, string allowed)
    {
        using var refusedCert = _pki.Service(refused);
        using (var channel = MtlsClient.Channel(Address(service), _pki.Root, refusedCert, _pki.ServiceCa))
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => CallOneRpcAsync(service, channel));
            Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
            Assert.Equal("CALLER_NOT_ALLOWED", RpcErrors.ReasonOf(e));
        }

        using var allowedCert = _pki.Service(allowed);
        using (var channel = MtlsClient.Channel(Address(service), _pki.Root, allowedCert, _pki.ServiceCa))
        {
            // Past the call policy, the RPC answers for itself: not PERMISSION_DENIED.
            var e = await Record.ExceptionAsync(() => CallOneRpcAsync(service, channel));
            if (e is RpcException rpc)
            {
                Assert.NotEqual(StatusCode.PermissionDenied, rpc.StatusCode);
                Assert.NotEqual("CALLER_NOT_ALLOWED", RpcErrors.ReasonOf(rpc));
            }
        }
    }

    [Fact]
    public async Task An_operator_identity_is_refused_by_a_data_service()
    {
        using var cert = _pki.Operator("eve");
        using var channel = MtlsClient.Channel(Address("write"), _pki.Root, cert, _pki.OperatorCa);
        var e = await Assert.ThrowsAsync<RpcException>(() => CallOneRpcAsync("write", channel));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Equal("CALLER_NOT_ALLOWED", RpcErrors.ReasonOf(e));
    }

    private static Task CallOneRpcAsync(string service, Grpc.Net.Client.GrpcChannel channel)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        return service switch
        {
            "write" => new WriteService.WriteServiceClient(channel).WriteAsync(new WriteRequest { Namespace = "ns" }, deadline: deadline).ResponseAsync,
            "query" => new QueryService.QueryServiceClient(channel).QueryAsync(new QueryRequest { Namespace = "ns" }, deadline: deadline).ResponseAsync,
            "keys" => new KeyVault.KeyVaultClient(channel).GetCurrentDataKeyAsync(new GetCurrentDataKeyRequest(), deadline: deadline).ResponseAsync,
            "router" => new Moat.Internal.V1.Directory.DirectoryClient(channel).ResolveAsync(new ResolveRequest(), deadline: deadline).ResponseAsync,
            _ => throw new ArgumentOutOfRangeException(nameof(service)),
        };
    }

    public void Dispose() => _pki.Dispose();
}
