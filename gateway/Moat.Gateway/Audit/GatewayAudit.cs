using Moat.Audit;
using ErrorReason = Moat.V1.ErrorReason;

namespace Moat.Gateway.Audit;

/// <summary>
/// The gateway's authentication decisions, aggregated per key, outcome and minute and flushed
/// within seconds (DESIGN section 10), into the gateway's own chain sealed under the org's audit
/// keyring from KeyVault. A failure that names no org goes to the "_unknown" chain.
/// </summary>
public sealed class GatewayAudit
{
    private static readonly AuditIdentifier UnknownOrg = new("_unknown");
    private readonly AuditWriter _writer;

    public GatewayAudit(AuditWriter writer)
    {
        _writer = writer;
    }

    public void Authenticated(string? org, string? keyId, string method, string endpointId, ErrorReason reason)
    {
        var orgId = AuditIdentifier.TryParse(org, out var parsed) ? parsed! : UnknownOrg;
        _writer.Record(new AuditEvent
        {
            Kind = AuditEventKind.Authentication,
            Outcome = reason == ErrorReason.Unspecified ? AuditEventOutcome.Success : AuditEventOutcome.Denied,
            Org = orgId,
            Principal = AuditIdentifier.TryParse(keyId, out var key) ? AuditPrincipal.ApiKey(orgId, key!) : AuditPrincipal.Anonymous,
            Reason = reason,
            Method = AuditIdentifier.TryParse(method, out var m) ? m : null,
            EndpointId = AuditIdentifier.TryParse(endpointId, out var endpoint) ? endpoint : null,
        });
    }
}
