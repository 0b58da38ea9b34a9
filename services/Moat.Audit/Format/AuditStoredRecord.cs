namespace Moat.Audit;

/// <summary>A record as read back from a chain (by the verifier).</summary>
/// <param name="Org">Org whose chain holds it.</param>
/// <param name="Writer">Writer id.</param>
/// <param name="Sequence">Position in the writer's chain, from 1.</param>
/// <param name="Time">When it was recorded (for an aggregate: when it was flushed).</param>
/// <param name="Event">The event.</param>
/// <param name="Count">Events it stands for (1, or more for an aggregate).</param>
/// <param name="WindowStart">Aggregates: start of the window.</param>
/// <param name="WindowEnd">Aggregates: end of the window (exclusive).</param>
/// <param name="Hash">SHA-256 of the record's bytes.</param>
public sealed record AuditStoredRecord(
    string Org,
    string Writer,
    long Sequence,
    DateTimeOffset Time,
    AuditEvent Event,
    long Count,
    DateTimeOffset? WindowStart,
    DateTimeOffset? WindowEnd,
    ReadOnlyMemory<byte> Hash)
{
    public bool IsAggregate => WindowStart is not null;
}
