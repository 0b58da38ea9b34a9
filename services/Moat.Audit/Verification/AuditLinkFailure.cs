namespace Moat.Audit;

/// <summary>What is wrong at a broken link of an audit log.</summary>
public enum AuditLinkFailure
{
    /// <summary>An object under the org's audit prefix that the layout does not allow.</summary>
    UnexpectedObject = 1,

    /// <summary>A batch number is missing between stored batches.</summary>
    BatchMissing,

    /// <summary>A batch does not unseal, parse, or names another org, writer or number than its path.</summary>
    BatchUnreadable,

    /// <summary>A record does not parse or does not hold a valid event.</summary>
    RecordUnreadable,

    /// <summary>A record names another org or writer than its chain.</summary>
    RecordIdentity,

    /// <summary>A record's sequence number is not the next one (a record deleted, reordered or inserted).</summary>
    RecordOutOfSequence,

    /// <summary>A record's previous hash is not the hash of the record before it (a record edited, replaced or inserted).</summary>
    RecordLinkBroken,

    /// <summary>A digest number is missing, or a digest does not parse or names another org or writer.</summary>
    DigestUnreadable,

    /// <summary>A digest's signature does not verify under a trusted key.</summary>
    DigestSignature,

    /// <summary>A digest does not name the hash of the writer's previous digest, or its count goes back.</summary>
    DigestChain,

    /// <summary>The chain's record at a digest's count does not have the hash the digest signed.</summary>
    DigestMismatch,

    /// <summary>A digest covers more records than the chain holds (records removed at the tail).</summary>
    ChainTruncated,

    /// <summary>A checkpoint number is missing, or a checkpoint does not parse or names another org or number.</summary>
    CheckpointUnreadable,

    /// <summary>A checkpoint's signature does not verify under a trusted key.</summary>
    CheckpointSignature,

    /// <summary>A checkpoint does not name the hash of the previous checkpoint.</summary>
    CheckpointChain,

    /// <summary>A writer named by a checkpoint has no chain in the store (a whole chain removed).</summary>
    WriterMissing,

    /// <summary>A writer's chain does not reach the digest a checkpoint names for it.</summary>
    WriterBehindCheckpoint,

    /// <summary>The saved checkpoint (--since) does not verify, or the store no longer holds it as saved.</summary>
    SinceCheckpointMissing,
}
