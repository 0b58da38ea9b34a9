using Moat.V1;

namespace Moat.Hosting.Errors;

/// <summary>The stable reason strings of <see cref="ErrorReason"/> as clients see them in <c>ErrorInfo.reason</c>.</summary>
public static class ErrorReasons
{
    /// <summary>The <c>ErrorInfo.domain</c> of every Moat error.</summary>
    public const string Domain = "moat.dev";

    private const string Prefix = "ERROR_REASON_";

    /// <summary><c>ERROR_REASON_WRONG_REGION</c> → <c>WRONG_REGION</c>.</summary>
    public static string ToReason(this ErrorReason reason)
    {
        var name = ErrorsReflection.Descriptor.EnumTypes.First(e => e.Name == nameof(ErrorReason)).FindValueByNumber((int)reason)?.Name
            ?? throw new ArgumentOutOfRangeException(nameof(reason), reason, "not an ErrorReason");
        return name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..] : name;
    }
}
