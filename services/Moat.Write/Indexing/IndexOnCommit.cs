using Moat.Indexer.Scheduling;
using Moat.Wal;

namespace Moat.Write.Indexing;

/// <summary>The WAL's commit seam: every committed entry asks the indexer to fold the namespace soon.</summary>
internal sealed class IndexOnCommit(IIndexerNotifier indexer) : ICommitListener
{
    public void OnCommitted(string namespaceId, long sequence, DateTimeOffset committedAt, int writes) => indexer.NotifyCommitted(namespaceId);
}
