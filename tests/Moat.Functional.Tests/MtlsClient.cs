using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Moat.Functional.Tests;

/// <summary>gRPC channels with exactly the TLS material a test wants to present (or not).</summary>
public static class MtlsClient
{
    /// <summary>
    /// A channel that trusts the deployment root for the server, and presents
    /// <paramref name="clientCertificate"/> (with its intermediate) if given.
    /// </summary>
    public static GrpcChannel Channel(string address, X509Certificate2 root, X509Certificate2? clientCertificate, X509Certificate2? intermediate = null, SslProtocols protocols = SslProtocols.Tls12 | SslProtocols.Tls13)
    {
        var ssl = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = protocols,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) => ChainsTo(certificate, root, chain),
        };
        if (clientCertificate is not null)
        {
            ssl.ClientCertificateContext = SslStreamCertificateContext.Create(
                clientCertificate, intermediate is null ? [] : [intermediate], offline: true);
        }

        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { SslOptions = ssl, ConnectTimeout = TimeSpan.FromSeconds(5) },
            DisposeHttpClient = true,
        });
    }

    /// <summary>Whether the server's certificate chains to <paramref name="root"/> with the intermediates it sent.</summary>
    public static bool ChainsTo(X509Certificate? certificate, X509Certificate2 root, X509Chain? sent)
    {
        if (certificate is null)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        if (sent is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
        }

        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
