using System.Net;

namespace Moat.Keys.RootOfTrust.DevFile;

/// <summary>
/// What the host states about its deployment, so <c>dev-file</c> can refuse to run outside
/// development (DESIGN section 6): the trust domain must be <see cref="DevTrustDomain"/>, the object
/// store must be local, and every listener must be loopback.
/// </summary>
/// <param name="TrustDomain">The deployment's SPIFFE trust domain (<c>Moat:TrustDomain</c>).</param>
/// <param name="StoreIsLocal">True when the object store is the local file system.</param>
/// <param name="ListenAddresses">Every address this process listens on: an IP, <c>host:port</c>, <c>[v6]:port</c> or a URL.</param>
public sealed record DevFileGuard(string TrustDomain, bool StoreIsLocal, IReadOnlyList<string> ListenAddresses)
{
    /// <summary>The development trust domain; the same value as <c>Moat.Hosting.Configuration.MoatOptions.DevTrustDomain</c>.</summary>
    public const string DevTrustDomain = "moat.dev";

    /// <summary>Throws <see cref="RootOfTrustException"/> (<see cref="RootOfTrustFailure.Refused"/>) naming the first failing condition.</summary>
    public void ThrowIfNotDevelopment()
    {
        if (!string.Equals(TrustDomain, DevTrustDomain, StringComparison.Ordinal))
        {
            throw Refuse($"the trust domain is '{TrustDomain}', not the development trust domain '{DevTrustDomain}'");
        }

        if (!StoreIsLocal)
        {
            throw Refuse("the object store is not local");
        }

        if (ListenAddresses is null || ListenAddresses.Count == 0)
        {
            throw Refuse("no listen addresses were given, so they cannot be shown to be loopback");
        }

        foreach (var address in ListenAddresses)
        {
            if (!IsLoopback(address))
            {
                throw Refuse($"listener '{address}' is not loopback");
            }
        }
    }

    /// <summary>True for loopback IPs (127.0.0.0/8, ::1) and <c>localhost</c>, with or without a port or scheme.
    /// Wildcards (<c>0.0.0.0</c>, <c>::</c>, <c>*</c>, <c>+</c>) and other names are not loopback.</summary>
    public static bool IsLoopback(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return false;
        }

        var host = address.Trim();
        if (host.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(host, UriKind.Absolute, out var uri))
            {
                return false;
            }

            host = uri.Host;
        }
        else if (IPAddress.TryParse(host, out var bare))
        {
            return IPAddress.IsLoopback(bare);
        }
        else if (host.StartsWith('['))
        {
            var end = host.IndexOf(']', StringComparison.Ordinal);
            host = end > 0 ? host[1..end] : host;
        }
        else if (host.LastIndexOf(':') is var colon and > 0)
        {
            host = host[..colon];
        }

        host = host.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    private static RootOfTrustException Refuse(string why) =>
        new(RootOfTrustFailure.Refused,
            $"Moat:RootOfTrust:Provider 'dev-file' is refused: {why}. dev-file is for development only (trust domain '{DevTrustDomain}', local store, loopback listeners); use 'pkcs11' (or a cloud KMS) elsewhere.");
}
