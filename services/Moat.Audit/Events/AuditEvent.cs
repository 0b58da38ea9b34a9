using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Audit;

/// <summary>
/// One audited event (DESIGN section 10): who (<see cref="Principal"/>), what (<see cref="Kind"/>,
/// <see cref="Outcome"/>, <see cref="Reason"/>), which org, namespace and key, why (<see cref="Purpose"/>).
/// </summary>
/// <remarks>
/// No customer data or key material can be put in an event, by construction: every field is an
/// enum, a number, or an <see cref="AuditIdentifier"/> (a bounded identifier matching
/// <see cref="AuditIdentifier.Pattern"/>). There is no free-form string and no byte array. The writer
/// stamps the time and sequence; an aggregate's count is set by the writer too.
/// </remarks>
public sealed record AuditEvent
{
    private readonly AuditEventKind _kind;
    private readonly AuditEventOutcome _outcome;
    private readonly long? _itemCount;

    /// <summary>What happened.</summary>
    public required AuditEventKind Kind
    {
        get => _kind;
        init => _kind = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Kind), value, "Unknown audit event kind.");
    }

    /// <summary>How it ended.</summary>
    public required AuditEventOutcome Outcome
    {
        get => _outcome;
        init => _outcome = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Outcome), value, "Unknown audit outcome.");
    }

    /// <summary>The org whose log holds the event (a path segment: see <see cref="AuditPaths"/>).</summary>
    public required AuditIdentifier Org { get; init; }

    /// <summary>Who acted.</summary>
    public required AuditPrincipal Principal { get; init; }

    /// <summary>Why it was denied or failed (<see cref="ErrorReason.Unspecified"/> on success).</summary>
    public ErrorReason Reason { get; init; }

    /// <summary>The namespace concerned, if any.</summary>
    public AuditNamespace? Namespace { get; init; }

    /// <summary>The key concerned, if any.</summary>
    public AuditKeyRef? Key { get; init; }

    /// <summary>Purpose of a key use.</summary>
    public KeyPurpose Purpose { get; init; }

    /// <summary>Full gRPC method, when the event was a call (e.g. <c>/moat.v1.WriteService/Upsert</c>).</summary>
    public AuditIdentifier? Method { get; init; }

    /// <summary>Endpoint the request came through.</summary>
    public AuditIdentifier? EndpointId { get; init; }

    /// <summary>What was acted on: an API key id, a setting name, an operator request id, an export id.</summary>
    public AuditIdentifier? Subject { get; init; }

    /// <summary>How many items the action concerned (objects removed, documents exported), when it applies.</summary>
    public long? ItemCount
    {
        get => _itemCount;
        init => _itemCount = value is null or >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(ItemCount), value, "A count is not negative.");
    }

    /// <summary>Whether this kind is recorded aggregated rather than appended durably.</summary>
    public bool IsAggregatable => Kind is AuditEventKind.Authentication or AuditEventKind.KeyUse;
}
