using Microsoft.Extensions.Options;

namespace Moat.Keys.RootOfTrust.Configuration;

/// <summary>Validates <see cref="RootOfTrustOptions"/> at start; each failure names the setting and the allowed values.</summary>
public sealed class RootOfTrustOptionsValidator : IValidateOptions<RootOfTrustOptions>
{
    public ValidateOptionsResult Validate(string? name, RootOfTrustOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Failures(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every problem with <paramref name="options"/>, empty when they are valid.</summary>
    public static List<string> Failures(RootOfTrustOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string at = RootOfTrustOptions.Section;
        if (!RootKeyLabel.IsValid(options.RootKeyId))
        {
            failures.Add($"{at}:RootKeyId '{options.RootKeyId}' must match {RootKeyLabel.Pattern} (lowercase letters, digits, '.', '_', '-').");
        }

        switch (options.Provider)
        {
            case RootOfTrustProviders.Pkcs11:
                var pkcs11 = options.Pkcs11;
                if (string.IsNullOrWhiteSpace(pkcs11.LibraryPath))
                {
                    failures.Add($"{at}:Pkcs11:LibraryPath is required: the vendor's PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so).");
                }

                if (string.IsNullOrWhiteSpace(pkcs11.TokenLabel))
                {
                    failures.Add($"{at}:Pkcs11:TokenLabel is required: the label of the token holding Moat's keys.");
                }

                var hasFile = !string.IsNullOrWhiteSpace(pkcs11.PinFile);
                var hasVariable = !string.IsNullOrWhiteSpace(pkcs11.PinEnvironmentVariable);
                if (hasFile == hasVariable)
                {
                    failures.Add($"{at}:Pkcs11: set exactly one of PinFile and PinEnvironmentVariable (the PIN itself is never a setting).");
                }

                if (pkcs11.MaxSessions is < 1 or > 256)
                {
                    failures.Add($"{at}:Pkcs11:MaxSessions must be between 1 and 256 (got {pkcs11.MaxSessions}).");
                }

                if (!string.IsNullOrEmpty(pkcs11.KeyLabelPrefix) && !RootKeyLabel.IsValid(pkcs11.KeyLabelPrefix.TrimEnd('-', '.', '_') is { Length: > 0 } p ? p : "x"))
                {
                    failures.Add($"{at}:Pkcs11:KeyLabelPrefix '{pkcs11.KeyLabelPrefix}' must be lowercase letters, digits, '.', '_', '-'.");
                }

                break;
            case RootOfTrustProviders.DevFile:
                if (string.IsNullOrWhiteSpace(options.DevFile.Directory))
                {
                    failures.Add($"{at}:DevFile:Directory is required: where the dev-file root keys live.");
                }

                break;
            case RootOfTrustProviders.AwsKms or RootOfTrustProviders.GcpKms:
                failures.Add($"{at}:Provider '{options.Provider}' is not built yet; this build supports {RootOfTrustProviders.AllowedList}.");
                break;
            case null or "":
                failures.Add($"{at}:Provider is required: one of {RootOfTrustProviders.AllowedList} ('{RootOfTrustProviders.AwsKms}' and '{RootOfTrustProviders.GcpKms}' are not built yet).");
                break;
            default:
                failures.Add($"{at}:Provider '{options.Provider}' is unknown: one of {RootOfTrustProviders.AllowedList} ('{RootOfTrustProviders.AwsKms}' and '{RootOfTrustProviders.GcpKms}' are not built yet).");
                break;
        }

        return failures;
    }
}
