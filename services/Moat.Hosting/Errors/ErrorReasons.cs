using Moat.V1;

namespace Moat.Hosting.Errors;

/// <summary>The stable reason strings of <see cref="ErrorReason"/> as clients see them in <c>ErrorInfo.reason</c>.</summary>
public static class ErrorReasons
{
    /// <summary>The <c>ErrorInfo.domain</c> of every Moat error.</summary>
    public const string Domain = "moat.dev";

    private const string Prefix = "ERROR_REASON_";

    private static readonly Lazy<Dictionary<string, ErrorReason>> ByName = new(() =>
        Enum.GetValues<ErrorReason>().Where(r => r != ErrorReason.Unspecified).ToDictionary(r => r.ToReason(), StringComparer.Ordinal));

    /// <summary><c>WRONG_REGION</c> → <see cref="ErrorReason.WrongRegion"/> (a reason received from another service).</summary>
    public static bool TryParse(string? reason, out ErrorReason value)
    {
        value = ErrorReason.Unspecified;
        return reason is not null && ByName.Value.TryGetValue(reason, out value);
    }

    /// <summary><c>ERROR_REASON_WRONG_REGION</c> → <c>WRONG_REGION</c>.</summary>
    public static string ToReason(this ErrorReason reason)
    {
        var name = ErrorsReflection.Descriptor.EnumTypes.First(e => e.Name == nameof(ErrorReason)).FindValueByNumber((int)reason)?.Name
            ?? throw new ArgumentOutOfRangeException(nameof(reason), reason, "not an ErrorReason");
        return name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..] : name;
    }
}
