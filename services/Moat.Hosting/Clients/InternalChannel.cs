using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Moat.Hosting.Identity;
using Moat.Hosting.Tls;

namespace Moat.Hosting.Clients;

/// <summary>
/// The HTTP handler of an internal client: presents this process's SVID and accepts only the one
/// server identity it expects (service and region), so a poisoned discovery entry holding another
/// valid certificate of our CA cannot pose as, say, KeyVault.
/// </summary>
public static class InternalChannel
{
    public static SocketsHttpHandler CreateHandler(SslStreamCertificateContext clientCertificate, TrustBundle trust, SpiffeId expectedServer) => new()
    {
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificateContext = clientCertificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => IsExpectedServer(trust, certificate, expectedServer),
        },
    };

    public static bool IsExpectedServer(TrustBundle trust, X509Certificate? certificate, SpiffeId expected) =>
        trust.TryValidateServer(certificate, out var actual, out _) && actual == expected;
}
