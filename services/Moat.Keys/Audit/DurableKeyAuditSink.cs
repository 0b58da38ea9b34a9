using Moat.Audit;
using Moat.Hosting;
using Moat.Hosting.Identity;
using Moat.Internal.V1;
using AuditEventKind = Moat.Audit.AuditEventKind;

namespace Moat.Keys.Audit;

/// <summary>
/// Key operations and key uses into the keys service's audit chain (DESIGN section 10): key
/// operations and write-path key uses are durable before the call is answered; read-path key uses
/// (by the query service) and state checks are aggregated per key and minute.
/// </summary>
public sealed class DurableKeyAuditSink : IKeyAuditSink
{
    private static readonly AuditIdentifier InvalidOrg = new("_invalid");

    // KeyVault knows namespaces by opaque id; the name is the directory's (metadata it need not hold).
    private static readonly AuditIdentifier UnknownName = new("-");
    private readonly AuditWriter _writer;

    public DurableKeyAuditSink(AuditWriter writer)
    {
        _writer = writer;
    }

    public async ValueTask RecordAsync(KeyAuditEvent e, CancellationToken cancellationToken)
    {
        var org = AuditIdentifier.TryParse(e.Org, out var parsed) ? parsed! : InvalidOrg;
        var isKeyUse = e.Operation is "GetCurrentDataKey" or "UnwrapDataKeys" or "GetAuditKeyring" or "CheckKeyState" or "SignAuditDigest";
        var auditEvent = new AuditEvent
        {
            Kind = isKeyUse ? AuditEventKind.KeyUse : AuditEventKind.KeyOperation,
            Outcome = e.Outcome switch
            {
                KeyAuditOutcome.Allowed => AuditEventOutcome.Success,
                KeyAuditOutcome.Refused => AuditEventOutcome.Denied,
                _ => AuditEventOutcome.Failed,
            },
            Org = org,
            Principal = e.PrincipalKind == nameof(PrincipalKind.ApiKey) && AuditIdentifier.TryParse(e.PrincipalId, out var keyId)
                ? AuditPrincipal.ApiKey(org, keyId!)
                : AuditIdentifier.TryParse(e.Caller, out var caller) ? AuditPrincipal.Service(caller!) : AuditPrincipal.Unattributed,
            Reason = Enum.TryParse<Moat.V1.ErrorReason>(ToPascal(e.Reason), out var reason) ? reason : Moat.V1.ErrorReason.Unspecified,
            Namespace = AuditIdentifier.TryParse(e.NamespaceId, out var nsid) ? new AuditNamespace(UnknownName, nsid!) : null,
            Key = AuditIdentifier.TryParse(e.KeyId, out var key) ? new AuditKeyRef(key!, e.KeyVersion) : null,
            Purpose = e.Purpose,
            Method = new AuditIdentifier(e.Operation),
        };

        var readPath = SpiffeId.TryParse(e.Caller, out var id) && id.IsService(MoatServices.Query);
        if (isKeyUse && (readPath || e.Operation is "CheckKeyState" or "SignAuditDigest" or "GetAuditKeyring"))
        {
            _writer.Record(auditEvent);
        }
        else
        {
            await _writer.AppendDurableAsync(auditEvent, cancellationToken);
        }
    }

    private static string ToPascal(string reason) =>
        string.Concat(reason.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..].ToLowerInvariant()));
}
