namespace Moat.Audit;

/// <summary>What the verifier found of one writer's chain.</summary>
public sealed record AuditWriterSummary(string Writer, long Records, long Batches, long Digests, long EventCount);
