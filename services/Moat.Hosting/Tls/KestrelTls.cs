using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Moat.Hosting.Tls;

/// <summary>
/// The only kinds of listener Moat has: TLS 1.2+ with HTTP/2 over ALPN. There is no plaintext
/// listener and no switch that makes one.
/// </summary>
public static class KestrelTls
{
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The internal listener: client certificate required, chained to our root and issued by the right intermediate.</summary>
    public static void ListenMutualTls(this KestrelServerOptions kestrel, IPAddress address, int port, IServiceProvider services)
    {
        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                HandshakeTimeout = HandshakeTimeout,
                OnConnection = connection =>
                {
                    var trust = services.GetRequiredService<TrustBundle>();
                    return ValueTask.FromResult(ServerOptions(services.GetRequiredService<CertificateHolder>(), clientCertificateRequired: true, (_, certificate, _, _) => trust.TryValidateClient(certificate, out _, out _)));
                },
            });
        });
    }

    /// <summary>
    /// A customer listener: server TLS with our certificate; a client certificate is optional and,
    /// when sent, must chain to the listener's customer CA (without one configured, none is accepted).
    /// </summary>
    public static void ListenCustomerTls(this KestrelServerOptions kestrel, IPAddress address, int port, IServiceProvider services, Func<X509Certificate2?> customerCa, Action<ListenOptions>? configure = null)
    {
        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            configure?.Invoke(listen);
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                HandshakeTimeout = HandshakeTimeout,
                OnConnection = connection =>
                {
                    var ca = customerCa();
                    return ValueTask.FromResult(ServerOptions(services.GetRequiredService<CertificateHolder>(), clientCertificateRequired: false, (_, certificate, _, _) => IsAcceptableCustomerCertificate(certificate, ca)));
                },
            });
        });
    }

    internal static bool IsAcceptableCustomerCertificate(X509Certificate? certificate, X509Certificate2? customerCa)
    {
        if (certificate is null)
        {
            return true;
        }

        if (customerCa is null)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(customerCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    private static SslServerAuthenticationOptions ServerOptions(CertificateHolder holder, bool clientCertificateRequired, RemoteCertificateValidationCallback validate) => new()
    {
        ServerCertificateContext = holder.Context,
        ClientCertificateRequired = clientCertificateRequired,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        ApplicationProtocols = [SslApplicationProtocol.Http2],
        RemoteCertificateValidationCallback = validate,
    };
}
