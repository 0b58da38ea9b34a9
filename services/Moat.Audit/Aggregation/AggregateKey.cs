namespace Moat.Audit;

/// <summary>An aggregate bucket: the event (without time; equal events share a bucket) and its minute.</summary>
internal readonly record struct AggregateKey(AuditEvent Event, long WindowStartUnixMs);
