using Moat.V1;

namespace Moat.Segments.Indexing;

/// <summary>A live document with the WAL sequence of its last write.</summary>
public sealed record FoldedDocument(DocKey Key, Document Document, ulong Sequence);

/// <summary>A deleted id with the WAL sequence of its delete: shadows older segments.</summary>
public readonly record struct Tombstone(DocKey Key, ulong Sequence);

/// <summary>An idempotency key seen in the folded entries, with the sequence it committed at.</summary>
public readonly record struct IdempotencyRecord(string Key, ulong Sequence);

/// <summary>
/// Documents and tombstones for one new segment, both sorted by <see cref="DocKey"/>; an id is
/// either a document or a tombstone, never both.
/// </summary>
public sealed class FoldResult
{
    public FoldResult(IReadOnlyList<FoldedDocument> documents, IReadOnlyList<Tombstone> tombstones, ulong minSequence, ulong maxSequence, IReadOnlyList<IdempotencyRecord>? idempotencyKeys = null, int skippedDuplicateWrites = 0)
    {
        Documents = documents;
        Tombstones = tombstones;
        MinSequence = minSequence;
        MaxSequence = maxSequence;
        IdempotencyKeys = idempotencyKeys ?? [];
        SkippedDuplicateWrites = skippedDuplicateWrites;
    }

    public IReadOnlyList<FoldedDocument> Documents { get; }

    public IReadOnlyList<Tombstone> Tombstones { get; }

    /// <summary>Lowest WAL sequence covered (0 when nothing was folded).</summary>
    public ulong MinSequence { get; }

    /// <summary>Highest WAL sequence covered: the watermark a manifest may publish.</summary>
    public ulong MaxSequence { get; }

    /// <summary>Idempotency keys of the folded writes, in sequence order.</summary>
    public IReadOnlyList<IdempotencyRecord> IdempotencyKeys { get; }

    /// <summary>Writes skipped because their idempotency key was already applied in this fold.</summary>
    public int SkippedDuplicateWrites { get; }
}
