using Moat.V1;

namespace Moat.Audit;

/// <summary>The verdict of <see cref="AuditVerifier.VerifyAsync"/>.</summary>
public sealed record AuditVerificationResult(
    IReadOnlyList<AuditBrokenLink> Problems,
    IReadOnlyList<AuditWriterSummary> Writers,
    long Checkpoints,
    SignedAuditCheckpoint? LatestCheckpoint,
    IReadOnlyList<AuditStoredRecord> Records)
{
    /// <summary>True when nothing is broken.</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>The first broken link (writers in ordinal order, each from its start; then checkpoints; then --since).</summary>
    public AuditBrokenLink? FirstBrokenLink => Problems.Count > 0 ? Problems[0] : null;
}
