using System.Net.Security;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Moat.Hosting.Clients;
using Moat.Hosting.Identity;
using Moat.Hosting.Tls;

namespace Moat.Functional.Tests;

/// <summary>An internal client accepts only the server identity it expects, not any certificate of our CA.</summary>
[Collection(DevStackCollection.Name)]
public sealed class InternalClientIdentityTests : IDisposable
{
    private readonly DevStackFixture _stack;
    private readonly StackPki _pki;
    private readonly TrustBundle _trust;

    public InternalClientIdentityTests(DevStackFixture stack)
    {
        _stack = stack;
        _pki = new StackPki(stack.PkiDir);
        _trust = TrustBundle.Load(
            new MoatTlsOptions { RootCaFile = Path.Combine(stack.PkiDir, "root-ca.crt"), ServiceCaFile = Path.Combine(stack.PkiDir, "service-ca.crt") },
            StackPki.TrustDomain);
    }

    private async Task<HealthCheckResponse> CheckAsync(int port, SpiffeId expected)
    {
        using var client = _pki.Service("write");
        var handler = InternalChannel.CreateHandler(SslStreamCertificateContext.Create(client, [_pki.ServiceCa], offline: true), _trust, expected);
        using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        return await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
    }

    [Fact]
    public async Task A_client_expecting_keys_refuses_a_server_holding_the_query_certificate()
    {
        // A poisoned discovery entry: "keys" points at the query service, whose certificate is valid.
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            CheckAsync(_stack.InternalPorts["query"], SpiffeId.ForService(StackPki.TrustDomain, StackPki.Region, "keys")));
        Assert.Contains("RemoteCertificateValidationCallback", e.Status.DebugException?.ToString() ?? e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_expecting_keys_of_another_region_refuses_this_regions_keys()
    {
        await Assert.ThrowsAsync<RpcException>(() =>
            CheckAsync(_stack.InternalPorts["keys"], SpiffeId.ForService(StackPki.TrustDomain, "eu-west-9", "keys")));
    }

    [Fact]
    public async Task The_same_client_accepts_the_identity_it_expects()
    {
        var reply = await CheckAsync(_stack.InternalPorts["keys"], SpiffeId.ForService(StackPki.TrustDomain, StackPki.Region, "keys"));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    public void Dispose()
    {
        _pki.Dispose();
        _trust.Dispose();
    }
}
