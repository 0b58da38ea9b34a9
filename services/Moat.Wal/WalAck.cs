namespace Moat.Wal;

/// <summary>
/// A write is durable in the object store: it is write <paramref name="Index"/> of the WAL entry at
/// <paramref name="Sequence"/>, committed at <paramref name="CommittedAt"/>.
/// </summary>
public sealed record WalAck(long Sequence, int Index, DateTimeOffset CommittedAt);
