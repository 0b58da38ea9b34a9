namespace Moat.Audit;

/// <summary>Proof that a durable append is stored: its place in the writer's chain.</summary>
/// <param name="Org">Org whose chain holds the record.</param>
/// <param name="Writer">Writer id.</param>
/// <param name="Sequence">The record's position in the chain, from 1.</param>
/// <param name="BatchSequence">The batch that holds it.</param>
/// <param name="RecordHash">SHA-256 of the record's bytes.</param>
public sealed record AuditReceipt(string Org, string Writer, long Sequence, long BatchSequence, ReadOnlyMemory<byte> RecordHash);
