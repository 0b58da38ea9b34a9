using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Moat.Hosting.Identity;

namespace Moat.Hosting.Pki;

/// <summary>
/// The development PKI of <c>./moat dev</c>: a root CA, a service intermediate, an operator
/// intermediate, an SVID per service and one operator certificate for the CLI. Short validity;
/// <see cref="Ensure"/> renews what is missing or close to expiry on every start. Private keys are
/// written with mode 0600.
/// </summary>
public sealed class DevPki
{
    public static readonly TimeSpan CaValidity = TimeSpan.FromDays(30);
    public static readonly TimeSpan LeafValidity = TimeSpan.FromDays(7);
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(2);

    /// <summary>The operator identity <c>./moat</c> uses to ask services for their health.</summary>
    public const string CliOperator = "dev-cli";

    private DevPki(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string RootCaFile => Path.Combine(Directory, "root-ca.crt");

    public string ServiceCaFile => Path.Combine(Directory, "service-ca.crt");

    public string OperatorCaFile => Path.Combine(Directory, "operator-ca.crt");

    public string CertFile(string name) => Path.Combine(Directory, name + ".crt");

    public string KeyFile(string name) => Path.Combine(Directory, name + ".key");

    /// <summary>Creates or renews the whole dev PKI under <paramref name="directory"/>.</summary>
    public static DevPki Ensure(string directory, string trustDomain, string region, TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        System.IO.Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var pki = new DevPki(directory);
        using var root = pki.EnsureCa("root-ca", null, now, out var rootRenewed);
        using var serviceCa = pki.EnsureCa("service-ca", root, now, out var serviceRenewed, rootRenewed);
        using var operatorCa = pki.EnsureCa("operator-ca", root, now, out var operatorRenewed, rootRenewed);

        foreach (var service in MoatServices.All)
        {
            var id = SpiffeId.ForService(trustDomain, MoatServices.IdentityRegion(service, region), service);
            pki.EnsureLeaf(service, serviceCa, id, now, serviceRenewed);
        }

        pki.EnsureLeaf(CliOperator, operatorCa, SpiffeId.ForOperator(trustDomain, CliOperator), now, operatorRenewed);
        return pki;
    }

    private X509Certificate2 EnsureCa(string name, X509Certificate2? issuer, DateTimeOffset now, out bool renewed, bool force = false)
    {
        if (!force && TryLoad(name, now, out var existing))
        {
            renewed = false;
            return existing;
        }

        var created = issuer is null
            ? CertificateAuthority.CreateRoot($"Moat dev {name}", now.AddMinutes(-5), now + CaValidity)
            : CertificateAuthority.CreateIntermediate(issuer, $"Moat dev {name}", now.AddMinutes(-5), now + CaValidity);
        Write(name, created);
        renewed = true;
        return created;
    }

    private void EnsureLeaf(string name, X509Certificate2 issuer, SpiffeId id, DateTimeOffset now, bool force)
    {
        if (!force && TryLoad(name, now, out var existing))
        {
            using (existing)
            {
                if (SpiffeId.TryFromCertificate(existing, out var current) && current == id)
                {
                    return;
                }
            }
        }

        using var leaf = CertificateAuthority.CreateLeaf(
            issuer, id.ToUri(), now.AddMinutes(-5), now + LeafValidity, ["localhost"], [IPAddress.Loopback, IPAddress.IPv6Loopback]);
        Write(name, leaf);
    }

    private bool TryLoad(string name, DateTimeOffset now, out X509Certificate2 certificate)
    {
        certificate = null!;
        if (!File.Exists(CertFile(name)) || !File.Exists(KeyFile(name)))
        {
            return false;
        }

        try
        {
            var loaded = X509Certificate2.CreateFromPemFile(CertFile(name), KeyFile(name));
            if (loaded.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewBefore)
            {
                loaded.Dispose();
                return false;
            }

            certificate = loaded;
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private void Write(string name, X509Certificate2 certificate)
    {
        WriteFile(KeyFile(name), CertificateAuthority.PrivateKeyPem(certificate), secret: true);
        WriteFile(CertFile(name), CertificateAuthority.ToPem(certificate), secret: false);
    }

    /// <summary>Writes atomically (temp file + rename); secrets are created 0600 from the start.</summary>
    public static void WriteFile(string path, string contents, bool secret)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
        }

        File.Move(temp, path, overwrite: true);
    }
}
