using Grpc.Core;
using Moat.V1;

namespace Moat.Hosting.Errors;

/// <summary>
/// A domain error a client can act on: a gRPC status, a stable reason and safe metadata.
/// Domain code throws it; <see cref="ErrorMappingInterceptor"/> turns it into status + details.
/// The message is shown to the caller: never put customer data or key material in it.
/// </summary>
public class MoatException : Exception
{
    public MoatException(StatusCode status, ErrorReason reason, string message, IReadOnlyDictionary<string, string>? metadata = null)
        : base(message)
    {
        Status = status;
        Reason = reason;
        Metadata = metadata ?? new Dictionary<string, string>();
    }

    public MoatException()
        : this(StatusCode.Internal, ErrorReason.Unspecified, "internal error")
    {
    }

    public MoatException(string message)
        : this(StatusCode.Internal, ErrorReason.Unspecified, message)
    {
    }

    public MoatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = StatusCode.Internal;
        Metadata = new Dictionary<string, string>();
    }

    public StatusCode Status { get; }

    public ErrorReason Reason { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }
}

/// <summary>Invalid input: every violation at once, as <c>BadRequest.field_violations</c>.</summary>
public sealed class MoatValidationException : MoatException
{
    public MoatValidationException(IReadOnlyList<FieldViolation> violations)
        : base(StatusCode.InvalidArgument, ErrorReason.InvalidArgument, Describe(violations))
    {
        Violations = violations;
    }

    public MoatValidationException(string field, string description)
        : this([new FieldViolation(field, description)])
    {
    }

    /// <summary>
    /// Invalid input with a more specific INVALID_ARGUMENT reason than <see cref="ErrorReason.InvalidArgument"/>
    /// (e.g. DIMENSION_MISMATCH) and its metadata; every violation is still listed.
    /// </summary>
    public MoatValidationException(IReadOnlyList<FieldViolation> violations, ErrorReason reason, IReadOnlyDictionary<string, string>? metadata)
        : base(StatusCode.InvalidArgument, reason, Describe(violations), metadata)
    {
        Violations = violations;
    }

    public IReadOnlyList<FieldViolation> Violations { get; }

    private static string Describe(IReadOnlyList<FieldViolation> violations) =>
        "invalid request: " + string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}"));
}

/// <summary>One bad field, named by its path in the request (e.g. <c>upserts[3].vector</c>).</summary>
public sealed record FieldViolation(string Field, string Description);
