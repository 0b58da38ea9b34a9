namespace Moat.Audit;

/// <summary>A record waiting for its batch: the event, its time, and for an aggregate the count and window.</summary>
internal sealed record PendingRecord(AuditEvent Event, DateTimeOffset Time, long Count, DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd)
{
    public TaskCompletionSource<AuditReceipt> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
