using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Moat.Hosting.Clients;
using Moat.Hosting.Identity;
using Moat.Hosting.Tls;

namespace Moat.Cli.Dev;

/// <summary>Asks a service for <c>grpc.health.v1</c> status over mTLS, accepting only the identity it expects.</summary>
public sealed class HealthProbe : IDisposable
{
    private readonly TrustBundle _trust;
    private readonly SslStreamCertificateContext _operator;

    public HealthProbe(string rootCaFile, string serviceCaFile, string operatorCertFile, string operatorKeyFile, string trustDomain)
    {
        _trust = TrustBundle.Load(new MoatTlsOptions { RootCaFile = rootCaFile, ServiceCaFile = serviceCaFile }, trustDomain);
        var certificate = PemFiles.LoadCertificateWithKey(operatorCertFile, operatorKeyFile);
        _operator = SslStreamCertificateContext.Create(certificate, [], offline: true);
    }

    public async Task<string> CheckAsync(string address, SpiffeId expected, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = InternalChannel.CreateHandler(_operator, _trust, expected),
            DisposeHttpClient = true,
        });
        try
        {
            var reply = await new Health.HealthClient(channel).CheckAsync(
                new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(3), cancellationToken: cancellationToken);
            return reply.Status.ToString().ToUpperInvariant();
        }
        catch (RpcException e)
        {
            return e.StatusCode == StatusCode.Unavailable ? "UNREACHABLE" : e.StatusCode.ToString().ToUpperInvariant();
        }
    }

    public void Dispose() => _trust.Dispose();
}
