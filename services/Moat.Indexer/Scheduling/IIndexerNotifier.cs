namespace Moat.Indexer.Scheduling;

/// <summary>What the write path calls after a commit, so the namespace gets indexed soon.</summary>
public interface IIndexerNotifier
{
    /// <summary>The namespace has new committed WAL entries (cheap; never blocks, never throws for a valid id).</summary>
    void NotifyCommitted(string namespaceId);
}
