using System.Globalization;
using Moat.Audit;
using Moat.Internal.V1;
using AuditEventKind = Moat.Audit.AuditEventKind;

namespace Moat.Write.Audit;

/// <summary>
/// What the write service records in its own chain (<c>write.{instance}</c>, DESIGN section 10):
/// namespace creation and deletion, durably before they are acknowledged. Ids and counts only.
/// </summary>
public sealed class WriteAudit
{
    private readonly AuditWriter _writer;

    public WriteAudit(AuditWriter writer)
    {
        _writer = writer;
    }

    /// <summary>A namespace's meta is about to be created (recorded first: a crash after it leaves an over-report, never a gap).</summary>
    public Task NamespaceCreatingAsync(PrincipalToken principal, string name, string namespaceId, string keyId, CancellationToken cancellationToken) =>
        _writer.AppendDurableAsync(Event(AuditEventKind.NamespaceCreate, principal, name, namespaceId, keyId, null), cancellationToken);

    /// <summary>A namespace was deleted: its objects removed and its KEK destroyed. Returns the deletion record's id.</summary>
    public async Task<string> NamespaceDeletedAsync(PrincipalToken principal, string name, string namespaceId, long objectsRemoved, bool keyDestroyed, CancellationToken cancellationToken)
    {
        var auditEvent = Event(AuditEventKind.NamespaceDelete, principal, name, namespaceId, string.Empty, objectsRemoved) with
        {
            Subject = new AuditIdentifier(keyDestroyed ? "kek:destroyed" : "kek:none"),
        };
        var receipt = await _writer.AppendDurableAsync(auditEvent, cancellationToken).ConfigureAwait(false);
        return RecordId(receipt);
    }

    /// <summary>The id of an audit record: org, writer and sequence in the writer's chain (unique, and where to find it).</summary>
    public static string RecordId(AuditReceipt receipt) =>
        string.Create(CultureInfo.InvariantCulture, $"{receipt.Org}/{receipt.Writer}/{receipt.Sequence:D20}");

    private static AuditEvent Event(AuditEventKind kind, PrincipalToken principal, string name, string namespaceId, string keyId, long? count)
    {
        var org = new AuditIdentifier(principal.Org);
        return new AuditEvent
        {
            Kind = kind,
            Outcome = AuditEventOutcome.Success,
            Org = org,
            Principal = AuditIdentifier.TryParse(principal.ApiKeyId, out var key) ? AuditPrincipal.ApiKey(org, key!) : AuditPrincipal.Unattributed,
            Namespace = new AuditNamespace(new AuditIdentifier(name), new AuditIdentifier(namespaceId)),
            Key = keyId.Length > 0 ? new AuditKeyRef(new AuditIdentifier(keyId)) : null,
            Method = AuditIdentifier.ParseOptional(principal.Method),
            EndpointId = AuditIdentifier.ParseOptional(principal.EndpointId),
            ItemCount = count,
        };
    }
}
