using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Moat.Hosting.Tls;

/// <summary>Loading PEM files with errors that name the file and the setting.</summary>
public static class PemFiles
{
    public static X509Certificate2 LoadCertificate(string path, string setting)
    {
        RequireFile(path, setting);
        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or FormatException or IOException or UnauthorizedAccessException)
        {
            throw new MoatStartupException($"Cannot read certificate file '{path}' ({setting}): {e.Message}", e);
        }
    }

    public static X509Certificate2 LoadCertificateWithKey(string certPath, string keyPath)
    {
        RequireFile(certPath, MoatTlsOptions.Section + ":CertFile");
        RequireFile(keyPath, MoatTlsOptions.Section + ":KeyFile");
        try
        {
            using var withKey = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            // Re-import so the key is usable by SslStream on every platform (ephemeral keys are not).
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new MoatStartupException($"Cannot read certificate '{certPath}' with key '{keyPath}': {e.Message}", e);
        }
    }

    private static void RequireFile(string path, string setting)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new MoatStartupException($"{setting} is not set: a service without its certificate does not start.");
        }

        if (!File.Exists(path))
        {
            throw new MoatStartupException($"Certificate file not found: '{path}' ({setting}). A service without its certificate does not start.");
        }
    }
}
