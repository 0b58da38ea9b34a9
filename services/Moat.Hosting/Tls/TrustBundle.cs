using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Moat.Hosting.Identity;

namespace Moat.Hosting.Tls;

/// <summary>
/// The deployment's trust: one root, the service intermediate (the only issuer of service
/// identities) and optionally the operator intermediate (the only issuer of operator identities).
/// Chains are built against this root only (CustomRootTrust), never the system store.
/// </summary>
public sealed class TrustBundle : IDisposable
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");

    public TrustBundle(string trustDomain, X509Certificate2 root, X509Certificate2 serviceCa, X509Certificate2? operatorCa)
    {
        TrustDomain = trustDomain;
        Root = root;
        ServiceCa = serviceCa;
        OperatorCa = operatorCa;
    }

    public string TrustDomain { get; }

    public X509Certificate2 Root { get; }

    public X509Certificate2 ServiceCa { get; }

    public X509Certificate2? OperatorCa { get; }

    public static TrustBundle Load(MoatTlsOptions options, string trustDomain) => new(
        trustDomain,
        PemFiles.LoadCertificate(options.RootCaFile, MoatTlsOptions.Section + ":RootCaFile"),
        PemFiles.LoadCertificate(options.ServiceCaFile, MoatTlsOptions.Section + ":ServiceCaFile"),
        string.IsNullOrEmpty(options.OperatorCaFile) ? null : PemFiles.LoadCertificate(options.OperatorCaFile, MoatTlsOptions.Section + ":OperatorCaFile"));

    /// <summary>Validates a peer that connected to us (it must present client-auth usage).</summary>
    public bool TryValidateClient(X509Certificate? certificate, [NotNullWhen(true)] out SpiffeId? identity, out string error) =>
        TryValidate(certificate, ClientAuth, out identity, out error);

    /// <summary>Validates a server we connected to (it must present server-auth usage).</summary>
    public bool TryValidateServer(X509Certificate? certificate, [NotNullWhen(true)] out SpiffeId? identity, out string error) =>
        TryValidate(certificate, ServerAuth, out identity, out error);

    /// <summary>
    /// The whole check: chains to our root only, was issued directly by the intermediate that may
    /// issue its kind of identity, is within validity, carries the needed usage, and has exactly one
    /// SPIFFE URI SAN in our trust domain.
    /// </summary>
    public bool TryValidate(X509Certificate? certificate, Oid usage, [NotNullWhen(true)] out SpiffeId? identity, out string error)
    {
        identity = null;
        if (certificate is null)
        {
            error = "no certificate";
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Root);
        chain.ChainPolicy.ExtraStore.Add(ServiceCa);
        if (OperatorCa is not null)
        {
            chain.ChainPolicy.ExtraStore.Add(OperatorCa);
        }

        // Short-lived SVIDs are the revocation story; there is no CRL/OCSP responder in a deployment.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(usage);
        if (!chain.Build(leaf))
        {
            error = "chain does not build to the deployment root: " +
                string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()));
            return false;
        }

        if (chain.ChainElements.Count != 3 || !chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(Root.RawDataMemory.Span))
        {
            error = "chain is not leaf -> intermediate -> deployment root";
            return false;
        }

        if (!SpiffeId.TryFromCertificate(leaf, out var id))
        {
            error = "certificate does not carry exactly one SPIFFE URI SAN";
            return false;
        }

        if (id.TrustDomain != TrustDomain)
        {
            error = $"identity {id} is not in trust domain {TrustDomain}";
            return false;
        }

        var issuer = chain.ChainElements[1].Certificate;
        var allowedIssuer = id.Kind == SpiffeIdKind.Service ? ServiceCa : OperatorCa;
        if (allowedIssuer is null || !issuer.RawDataMemory.Span.SequenceEqual(allowedIssuer.RawDataMemory.Span))
        {
            error = $"identity {id} was not issued by the {(id.Kind == SpiffeIdKind.Service ? "service" : "operator")} intermediate CA";
            return false;
        }

        identity = id;
        error = string.Empty;
        return true;
    }

    public void Dispose()
    {
        Root.Dispose();
        ServiceCa.Dispose();
        OperatorCa?.Dispose();
    }
}
