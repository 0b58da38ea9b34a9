using System.Net;
using System.Security.Cryptography.X509Certificates;
using Moat.Hosting.Identity;
using Moat.Hosting.Pki;
using Moat.Hosting.Tls;

namespace Moat.Testing;

/// <summary>
/// A deployment PKI for tests (root, service and operator intermediates) plus a stranger root, all
/// in memory, with helpers to write any certificate to PEM files.
/// </summary>
public sealed class TestPki : IDisposable
{
    public const string TrustDomain = "moat.dev";

    public TestPki(string? directory = null)
    {
        Directory = directory ?? System.IO.Directory.CreateTempSubdirectory("moat-pki-").FullName;
        var now = DateTimeOffset.UtcNow;
        Root = CertificateAuthority.CreateRoot("test root", now.AddDays(-1), now.AddDays(30));
        ServiceCa = CertificateAuthority.CreateIntermediate(Root, "test service ca", now.AddDays(-1), now.AddDays(30));
        OperatorCa = CertificateAuthority.CreateIntermediate(Root, "test operator ca", now.AddDays(-1), now.AddDays(30));
        StrangerRoot = CertificateAuthority.CreateRoot("stranger root", now.AddDays(-1), now.AddDays(30));
        StrangerCa = CertificateAuthority.CreateIntermediate(StrangerRoot, "stranger service ca", now.AddDays(-1), now.AddDays(30));
        RootCaFile = WriteCertificate("root-ca", Root);
        ServiceCaFile = WriteCertificate("service-ca", ServiceCa);
        OperatorCaFile = WriteCertificate("operator-ca", OperatorCa);
    }

    public string Directory { get; }

    public X509Certificate2 Root { get; }

    public X509Certificate2 ServiceCa { get; }

    public X509Certificate2 OperatorCa { get; }

    public X509Certificate2 StrangerRoot { get; }

    public X509Certificate2 StrangerCa { get; }

    public string RootCaFile { get; }

    public string ServiceCaFile { get; }

    public string OperatorCaFile { get; }

    public TrustBundle Trust() => new(TrustDomain, Clone(Root), Clone(ServiceCa), Clone(OperatorCa));

    public X509Certificate2 Service(string service, string region = "dev-local", X509Certificate2? issuer = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null) =>
        CertificateAuthority.CreateLeaf(
            issuer ?? ServiceCa,
            SpiffeId.ForService(TrustDomain, region, service).ToUri(),
            notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5),
            notAfter ?? DateTimeOffset.UtcNow.AddDays(1),
            ["localhost"],
            [IPAddress.Loopback]);

    public X509Certificate2 Operator(string name, X509Certificate2? issuer = null) =>
        CertificateAuthority.CreateLeaf(issuer ?? OperatorCa, SpiffeId.ForOperator(TrustDomain, name).ToUri(), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

    /// <summary>Writes a certificate and its key; returns (certFile, keyFile).</summary>
    public (string Cert, string Key) Write(string name, X509Certificate2 certificate)
    {
        var key = Path.Combine(Directory, name + ".key");
        DevPki.WriteFile(key, CertificateAuthority.PrivateKeyPem(certificate), secret: true);
        return (WriteCertificate(name, certificate), key);
    }

    public string WriteCertificate(string name, X509Certificate2 certificate)
    {
        var path = Path.Combine(Directory, name + ".crt");
        DevPki.WriteFile(path, CertificateAuthority.ToPem(certificate), secret: false);
        return path;
    }

    public void Dispose()
    {
        Root.Dispose();
        ServiceCa.Dispose();
        OperatorCa.Dispose();
        StrangerRoot.Dispose();
        StrangerCa.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is not a test failure.
        }
    }

    private static X509Certificate2 Clone(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);
}
