using Moat.Keys.RootOfTrust.DevFile;
using Moat.Keys.RootOfTrust.Pkcs11;

namespace Moat.Keys.RootOfTrust.Configuration;

/// <summary>Which root of trust this deployment uses. Section <c>Moat:RootOfTrust</c> (docs/root-of-trust.md).</summary>
public sealed class RootOfTrustOptions
{
    public const string Section = "Moat:RootOfTrust";

    /// <summary><c>pkcs11</c> or <c>dev-file</c>; <c>aws-kms</c> and <c>gcp-kms</c> are reserved and not built yet. No default.</summary>
    public string Provider { get; set; } = string.Empty;

    /// <summary>The root key that wraps every namespace KEK (a label, see <see cref="RootKeyLabel"/>).</summary>
    public string RootKeyId { get; set; } = "root";

    public Pkcs11Options Pkcs11 { get; set; } = new();

    public DevFileOptions DevFile { get; set; } = new();

    /// <summary>Prints only the selected provider's settings; the PIN is never read here.</summary>
    public override string ToString() => Provider switch
    {
        RootOfTrustProviders.Pkcs11 => $"Provider={Provider}, RootKeyId={RootKeyId}, Pkcs11=({Pkcs11})",
        RootOfTrustProviders.DevFile => $"Provider={Provider}, RootKeyId={RootKeyId}, DevFile=({DevFile})",
        _ => $"Provider={Provider}, RootKeyId={RootKeyId}",
    };
}
