using ErrorReason = Moat.V1.ErrorReason;

namespace Moat.Audit;

/// <summary>Events several services record the same way.</summary>
public static class AuditEvents
{
    /// <summary>The chain of decisions that name no org (an unknown or malformed key).</summary>
    public static readonly AuditIdentifier UnknownOrg = new("_unknown");

    /// <summary>
    /// An API key check: success when <paramref name="reason"/> is unspecified, else denied with it.
    /// Only identifier-safe values are kept (an unparsable key id or org becomes anonymous / unknown).
    /// </summary>
    public static AuditEvent Authentication(string? org, string? keyId, string? endpointId, ErrorReason reason, string? method = null)
    {
        var orgId = AuditIdentifier.TryParse(org, out var parsed) ? parsed! : UnknownOrg;
        return new AuditEvent
        {
            Kind = AuditEventKind.Authentication,
            Outcome = reason == ErrorReason.Unspecified ? AuditEventOutcome.Success : AuditEventOutcome.Denied,
            Org = orgId,
            Principal = AuditIdentifier.TryParse(keyId, out var key) ? AuditPrincipal.ApiKey(orgId, key!) : AuditPrincipal.Anonymous,
            Reason = reason,
            Method = AuditIdentifier.TryParse(method, out var m) ? m : null,
            EndpointId = AuditIdentifier.TryParse(endpointId, out var endpoint) ? endpoint : null,
        };
    }
}
