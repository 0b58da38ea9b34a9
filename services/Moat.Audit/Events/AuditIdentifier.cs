using System.Globalization;

namespace Moat.Audit;

/// <summary>
/// The only kind of text an audit event can hold: an identifier of 1 to <see cref="MaxLength"/>
/// characters from <c>[A-Za-z0-9._:/@-]</c> (ids, names, SPIFFE ids, gRPC method paths). No spaces,
/// no line breaks, no other punctuation, no non-ASCII: free text (documents, queries, error
/// messages) and encoded key material cannot pass, so they cannot reach the audit log.
/// </summary>
public sealed record AuditIdentifier
{
    /// <summary>Longest identifier accepted.</summary>
    public const int MaxLength = 256;

    /// <summary>The pattern, for documentation and error messages.</summary>
    public const string Pattern = "[A-Za-z0-9._:/@-]{1,256}";

    /// <summary>Validates <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The value does not match <see cref="Pattern"/>.</exception>
    public AuditIdentifier(string value)
    {
        if (!IsValid(value))
        {
            throw new ArgumentException(Describe(value), nameof(value));
        }

        Value = value;
    }

    /// <summary>The validated identifier.</summary>
    public string Value { get; }

    /// <summary>Whether <paramref name="value"/> matches <see cref="Pattern"/>.</summary>
    public static bool IsValid(string? value)
    {
        if (value is null || value.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!IsAllowed(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses <paramref name="value"/>; throws <see cref="ArgumentException"/> when it is not an identifier.</summary>
    public static AuditIdentifier Parse(string value) => new(value);

    /// <summary>Parses <paramref name="value"/> without throwing.</summary>
    public static bool TryParse(string? value, out AuditIdentifier? identifier)
    {
        identifier = IsValid(value) ? new AuditIdentifier(value!) : null;
        return identifier is not null;
    }

    /// <summary>Null for null or empty; otherwise <see cref="Parse"/> (for optional fields read from the store).</summary>
    public static AuditIdentifier? ParseOptional(string? value) => string.IsNullOrEmpty(value) ? null : new AuditIdentifier(value);

    public override string ToString() => Value;

    internal static bool IsAllowed(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or ':' or '/' or '@' or '-';

    // The message never echoes the rejected value: it may be exactly what must not be logged.
    private static string Describe(string? value) =>
        value is null
            ? "An audit identifier must not be null."
            : string.Create(CultureInfo.InvariantCulture,
                $"An audit identifier must match {Pattern}; got {value.Length} characters that do not (value not shown).");
}
