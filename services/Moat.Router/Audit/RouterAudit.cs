using Moat.Audit;
using ErrorReason = Moat.V1.ErrorReason;

namespace Moat.Router.Audit;

/// <summary>
/// What the router records (DESIGN section 10): API key, endpoint and org changes and bootstrap,
/// durable before the call is answered; API key checks, aggregated per key and minute. The router's
/// chain is signed with its own key (it has no KeyVault).
/// </summary>
public sealed class RouterAudit
{
    private readonly AuditWriter _writer;

    public RouterAudit(AuditWriter writer)
    {
        _writer = writer;
    }

    public Task ChangedAsync(AuditEventKind kind, string org, string actorKeyId, string subject, CancellationToken cancellationToken)
    {
        var orgId = new AuditIdentifier(org);
        return _writer.AppendDurableAsync(new AuditEvent
        {
            Kind = kind,
            Outcome = AuditEventOutcome.Success,
            Org = orgId,
            Principal = AuditIdentifier.TryParse(actorKeyId, out var actor) ? AuditPrincipal.ApiKey(orgId, actor!) : AuditPrincipal.Unattributed,
            Subject = AuditIdentifier.ParseOptional(subject),
        }, cancellationToken);
    }

    public void Authenticated(string? org, string? keyId, string endpointId, ErrorReason reason) =>
        _writer.Record(AuditEvents.Authentication(org, keyId, endpointId, reason));

    public Task FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);
}
