using System.Security.Cryptography.X509Certificates;
using Moat.Hosting.Identity;
using Moat.Hosting.Pki;
using Moat.Hosting.Tls;

namespace Moat.Hosting.Tests;

public class DevPkiTests
{
    [Fact]
    public void Creates_one_svid_per_service_with_private_keys_0600()
    {
        var dir = Directory.CreateTempSubdirectory("moat-devpki-").FullName;
        try
        {
            var pki = DevPki.Ensure(dir, "moat.dev", "dev-local");
            using var trust = TrustBundle.Load(new MoatTlsOptions { RootCaFile = pki.RootCaFile, ServiceCaFile = pki.ServiceCaFile, OperatorCaFile = pki.OperatorCaFile }, "moat.dev");
            foreach (var service in MoatServices.All)
            {
                using var cert = X509Certificate2.CreateFromPemFile(pki.CertFile(service), pki.KeyFile(service));
                Assert.True(trust.TryValidateClient(cert, out var id, out var error), error);
                Assert.Equal(service, id.Name);
                Assert.Equal(MoatServices.IdentityRegion(service, "dev-local"), id.Region);
                Assert.True(cert.NotAfter - cert.NotBefore <= DevPki.LeafValidity + TimeSpan.FromMinutes(10), "leaves are short-lived");
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pki.KeyFile(service)));
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "root-ca.key")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_second_start_keeps_valid_certificates_and_renews_missing_ones()
    {
        var dir = Directory.CreateTempSubdirectory("moat-devpki-").FullName;
        try
        {
            var pki = DevPki.Ensure(dir, "moat.dev", "dev-local");
            var writeBefore = File.ReadAllText(pki.CertFile("write"));
            File.Delete(pki.CertFile("keys"));
            DevPki.Ensure(dir, "moat.dev", "dev-local");
            Assert.Equal(writeBefore, File.ReadAllText(pki.CertFile("write")));
            Assert.True(File.Exists(pki.CertFile("keys")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Certificates_close_to_expiry_are_renewed_on_start()
    {
        var dir = Directory.CreateTempSubdirectory("moat-devpki-").FullName;
        try
        {
            var pki = DevPki.Ensure(dir, "moat.dev", "dev-local");
            var before = File.ReadAllText(pki.CertFile("write"));
            var later = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow + DevPki.LeafValidity - TimeSpan.FromDays(1));
            DevPki.Ensure(dir, "moat.dev", "dev-local", later);
            Assert.NotEqual(before, File.ReadAllText(pki.CertFile("write")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
