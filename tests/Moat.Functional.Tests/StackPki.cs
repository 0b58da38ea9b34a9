using System.Net;
using System.Security.Cryptography.X509Certificates;
using Moat.Hosting.Identity;
using Moat.Hosting.Pki;

namespace Moat.Functional.Tests;

/// <summary>The running dev stack's CAs (with keys, from its state dir) to mint test identities.</summary>
public sealed class StackPki : IDisposable
{
    public StackPki(string pkiDir)
    {
        Root = X509Certificate2.CreateFromPemFile(Path.Combine(pkiDir, "root-ca.crt"), Path.Combine(pkiDir, "root-ca.key"));
        ServiceCa = X509Certificate2.CreateFromPemFile(Path.Combine(pkiDir, "service-ca.crt"), Path.Combine(pkiDir, "service-ca.key"));
        OperatorCa = X509Certificate2.CreateFromPemFile(Path.Combine(pkiDir, "operator-ca.crt"), Path.Combine(pkiDir, "operator-ca.key"));
    }

    public const string TrustDomain = "moat.dev";

    public const string Region = "dev-local";

    public X509Certificate2 Root { get; }

    public X509Certificate2 ServiceCa { get; }

    public X509Certificate2 OperatorCa { get; }

    public X509Certificate2 Service(string service, string region = Region, X509Certificate2? issuer = null, DateTimeOffset? notAfter = null, DateTimeOffset? notBefore = null) =>
        CertificateAuthority.CreateLeaf(
            issuer ?? ServiceCa,
            SpiffeId.ForService(TrustDomain, service == "router" ? "global" : region, service).ToUri(),
            notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5),
            notAfter ?? DateTimeOffset.UtcNow.AddHours(1),
            ["localhost"],
            [IPAddress.Loopback]);

    public X509Certificate2 Operator(string name) =>
        CertificateAuthority.CreateLeaf(OperatorCa, SpiffeId.ForOperator(TrustDomain, name).ToUri(), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));

    public void Dispose()
    {
        Root.Dispose();
        ServiceCa.Dispose();
        OperatorCa.Dispose();
    }
}
