using System.Text.RegularExpressions;

namespace Moat.Keys.RootOfTrust;

/// <summary>The one rule for root key labels and ids, so they are safe as HSM labels, file names and KMS aliases.</summary>
public static partial class RootKeyLabel
{
    public const string Pattern = "^[a-z0-9][a-z0-9._-]{0,63}$";

    public static bool IsValid(string? label) => label is not null && Regex().IsMatch(label) && !label.Contains("..", StringComparison.Ordinal);

    /// <summary>Throws <see cref="ArgumentException"/> naming the rule when <paramref name="label"/> is not valid.</summary>
    public static void ThrowIfInvalid(string? label, string parameterName)
    {
        if (!IsValid(label))
        {
            throw new ArgumentException($"A root key label is 1-64 of lowercase letters, digits, '.', '_' and '-', starting with a letter or digit (got '{label}').", parameterName);
        }
    }

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Regex();
}
