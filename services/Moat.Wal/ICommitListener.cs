namespace Moat.Wal;

/// <summary>
/// Told after every WAL entry this process committed (the seam the indexer plugs into: fold soon
/// after a commit instead of polling). Called on the namespace's commit loop after the writes were
/// acknowledged; it must return at once (queue work, never block or throw) — an exception is
/// logged and ignored, never turned into a failed write.
/// </summary>
public interface ICommitListener
{
    void OnCommitted(string namespaceId, long sequence, DateTimeOffset committedAt, int writes);
}
