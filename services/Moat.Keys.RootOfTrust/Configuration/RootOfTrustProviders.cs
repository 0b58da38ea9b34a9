namespace Moat.Keys.RootOfTrust.Configuration;

/// <summary>The values of <c>Moat:RootOfTrust:Provider</c>.</summary>
public static class RootOfTrustProviders
{
    public const string Pkcs11 = "pkcs11";
    public const string DevFile = "dev-file";
    public const string AwsKms = "aws-kms";
    public const string GcpKms = "gcp-kms";

    /// <summary>Providers this build can run.</summary>
    public static IReadOnlyList<string> Built { get; } = [Pkcs11, DevFile];

    /// <summary>Providers named by the design whose implementation is not built yet.</summary>
    public static IReadOnlyList<string> NotBuilt { get; } = [AwsKms, GcpKms];

    internal static string AllowedList => string.Join(", ", Built.Select(p => $"'{p}'"));
}
