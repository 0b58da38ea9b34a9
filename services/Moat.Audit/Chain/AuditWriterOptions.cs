namespace Moat.Audit;

/// <summary>How an <see cref="AuditWriter"/> batches, aggregates and signs. Every value has a safe default.</summary>
public sealed record AuditWriterOptions
{
    /// <summary>This service instance (required).</summary>
    public required AuditWriterId WriterId { get; init; }

    /// <summary>
    /// Extra time a batch waits for more appends before it is stored. Zero (default): a batch is
    /// stored as soon as the previous one is, and every append that arrived meanwhile shares it.
    /// </summary>
    public TimeSpan GroupCommitWindow { get; init; } = TimeSpan.Zero;

    /// <summary>Most records in one batch.</summary>
    public int MaxBatchRecords { get; init; } = 1024;

    /// <summary>A digest is signed after this many new records.</summary>
    public int DigestEveryRecords { get; init; } = 1000;

    /// <summary>... or when new records are this old.</summary>
    public TimeSpan DigestInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Aggregates are flushed this often (DESIGN: within seconds).</summary>
    public TimeSpan AggregateFlushInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Most distinct aggregate buckets held at once; beyond it, events are counted in one
    /// unattributed bucket per (org, kind, outcome, reason, minute): rate-limited, never dropped.
    /// </summary>
    public int MaxAggregateBuckets { get; init; } = 10_000;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(WriterId);
        ArgumentOutOfRangeException.ThrowIfNegative(GroupCommitWindow.Ticks, nameof(GroupCommitWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchRecords, 1, nameof(MaxBatchRecords));
        ArgumentOutOfRangeException.ThrowIfLessThan(DigestEveryRecords, 1, nameof(DigestEveryRecords));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DigestInterval, TimeSpan.Zero, nameof(DigestInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AggregateFlushInterval, TimeSpan.Zero, nameof(AggregateFlushInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAggregateBuckets, 1, nameof(MaxAggregateBuckets));
    }
}
