namespace Moat.Wal;

/// <summary>
/// A namespace's commit queue (or the process's) holds as many writes as it may; the write was not
/// taken. The write service maps it to RESOURCE_EXHAUSTED with reason WRITE_QUEUE_FULL; the client
/// may retry after a back-off.
/// </summary>
public sealed class WalQueueFullException : Exception
{
    public WalQueueFullException()
        : this("The write queue is full.")
    {
    }

    public WalQueueFullException(string message)
        : base(message)
    {
    }

    public WalQueueFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WalQueueFullException(string namespaceId, int limit, string which)
        : base($"The write queue of {which} holds its limit of {limit} writes; the write was not taken (namespace {namespaceId}).")
    {
        NamespaceId = namespaceId;
        Limit = limit;
    }

    /// <summary>The namespace the write was for.</summary>
    public string? NamespaceId { get; }

    /// <summary>The limit that was reached.</summary>
    public int Limit { get; }
}
