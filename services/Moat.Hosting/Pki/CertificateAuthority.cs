using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Moat.Hosting.Pki;

/// <summary>
/// Issues the certificates of a Moat PKI with System.Security.Cryptography (ECDSA P-256): CAs and
/// SVID leaves carrying exactly one SPIFFE URI SAN. Used by the dev PKI and by tests.
/// </summary>
public static class CertificateAuthority
{
    public static X509Certificate2 CreateRoot(string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    public static X509Certificate2 CreateIntermediate(X509Certificate2 issuer, string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var issued = request.Create(issuer, Clamp(notBefore, issuer), Clamp(notAfter, issuer), Serial());
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>An SVID: one URI SAN (the SPIFFE id), plus DNS/IP SANs for the addresses it serves on.</summary>
    public static X509Certificate2 CreateLeaf(X509Certificate2 issuer, Uri spiffeId, DateTimeOffset notBefore, DateTimeOffset notAfter, IEnumerable<string>? dnsNames = null, IEnumerable<IPAddress>? addresses = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={spiffeId.Segments[^1].Trim('/')}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(spiffeId);
        foreach (var dns in dnsNames ?? [])
        {
            san.AddDnsName(dns);
        }

        foreach (var address in addresses ?? [])
        {
            san.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(san.Build(true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var issued = request.Create(issuer, Clamp(notBefore, issuer), Clamp(notAfter, issuer), Serial());
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A leaf with any number of URI SANs (tests of the "exactly one" rule).</summary>
    public static X509Certificate2 CreateLeafWithUris(X509Certificate2 issuer, IReadOnlyList<Uri> uris, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (uris.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var uri in uris)
            {
                san.AddUri(uri);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        using var issued = request.Create(issuer, Clamp(notBefore, issuer), Clamp(notAfter, issuer), Serial());
        return issued.CopyWithPrivateKey(key);
    }

    public static string ToPem(X509Certificate2 certificate) =>
        PemEncoding.WriteString("CERTIFICATE", certificate.RawData);

    public static string PrivateKeyPem(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("certificate has no ECDSA private key");
        return key.ExportPkcs8PrivateKeyPem();
    }

    private static DateTimeOffset Clamp(DateTimeOffset value, X509Certificate2 issuer)
    {
        var min = new DateTimeOffset(issuer.NotBefore.ToUniversalTime());
        var max = new DateTimeOffset(issuer.NotAfter.ToUniversalTime());
        return value < min ? min : value > max ? max : value;
    }

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return serial;
    }
}
