namespace Moat.Audit;

/// <summary>An <see cref="AuditWriter"/>'s counters.</summary>
/// <param name="Chains">Org chains this writer has opened.</param>
/// <param name="Records">Records stored (across chains, including records stored before a restart).</param>
/// <param name="Batches">Batches stored.</param>
/// <param name="Digests">Digests stored.</param>
/// <param name="DigestFailures">Digest attempts that failed (retried later).</param>
/// <param name="PendingAggregateCount">Events counted and not yet flushed.</param>
/// <param name="OverflowedAggregateCount">Events counted in unattributed overflow buckets.</param>
/// <param name="AggregateFlushFailures">Aggregate flushes that failed (their counts were kept).</param>
public sealed record AuditWriterStatistics(
    int Chains,
    long Records,
    long Batches,
    long Digests,
    int DigestFailures,
    long PendingAggregateCount,
    long OverflowedAggregateCount,
    long AggregateFlushFailures);
