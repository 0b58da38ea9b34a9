using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Moat.Hosting.Identity;

/// <summary>What a SPIFFE id names: a regional service or an operator (DESIGN section 9).</summary>
public enum SpiffeIdKind
{
    Service,
    Operator,
}

/// <summary>
/// A parsed SPIFFE id: <c>spiffe://{td}/region/{region}/{service}</c> or <c>spiffe://{td}/operator/{name}</c>.
/// Anything else is not a Moat identity.
/// </summary>
public sealed record SpiffeId(SpiffeIdKind Kind, string TrustDomain, string Region, string Name)
{
    private const string Scheme = "spiffe://";
    private const string SubjectAltNameOid = "2.5.29.17";

    public static SpiffeId ForService(string trustDomain, string region, string service) =>
        new(SpiffeIdKind.Service, trustDomain, region, service);

    public static SpiffeId ForOperator(string trustDomain, string name) =>
        new(SpiffeIdKind.Operator, trustDomain, string.Empty, name);

    public bool IsService(string service) => Kind == SpiffeIdKind.Service && Name == service;

    public Uri ToUri() => new(ToString());

    public override string ToString() => Kind == SpiffeIdKind.Service
        ? $"{Scheme}{TrustDomain}/region/{Region}/{Name}"
        : $"{Scheme}{TrustDomain}/operator/{Name}";

    public static bool TryParse(string? value, [NotNullWhen(true)] out SpiffeId? id)
    {
        id = null;
        if (value is null || !value.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = value[Scheme.Length..].Split('/');
        if (parts.Any(p => p.Length == 0 || !IsSegment(p)))
        {
            return false;
        }

        if (parts.Length == 4 && parts[1] == "region")
        {
            id = ForService(parts[0], parts[2], parts[3]);
            return true;
        }

        if (parts.Length == 3 && parts[1] == "operator")
        {
            id = ForOperator(parts[0], parts[2]);
            return true;
        }

        return false;
    }

    /// <summary>
    /// The identity of a certificate: it must carry exactly one URI SAN and that URI must parse.
    /// (X509Certificate2 has no URI enumeration in .NET 10, so the SAN extension is read with AsnReader.)
    /// </summary>
    public static bool TryFromCertificate(X509Certificate2 certificate, [NotNullWhen(true)] out SpiffeId? id)
    {
        id = null;
        var uris = ReadUriSans(certificate);
        return uris.Count == 1 && TryParse(uris[0], out id);
    }

    internal static List<string> ReadUriSans(X509Certificate2 certificate)
    {
        var uris = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }

            try
            {
                var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
                var names = reader.ReadSequence();
                var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
                while (names.HasData)
                {
                    var tag = names.PeekTag();
                    if (tag == uriTag)
                    {
                        uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, uriTag));
                    }
                    else
                    {
                        names.ReadEncodedValue();
                    }
                }
            }
            catch (AsnContentException)
            {
                // A malformed SAN is no identity at all.
                return [];
            }
        }

        return uris;
    }

    private static bool IsSegment(string segment) =>
        segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
