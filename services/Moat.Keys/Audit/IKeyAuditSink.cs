namespace Moat.Keys.Audit;

/// <summary>
/// Where every key operation and key use is recorded. The audit-writer capability makes this
/// durable (chained, sealed batches); until then <see cref="LoggingKeyAuditSink"/> writes structured
/// log events.
/// </summary>
public interface IKeyAuditSink
{
    ValueTask RecordAsync(KeyAuditEvent auditEvent, CancellationToken cancellationToken);
}
