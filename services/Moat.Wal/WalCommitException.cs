namespace Moat.Wal;

/// <summary>
/// A group commit failed: the write is not acknowledged. When <see cref="MayHaveBeenApplied"/> is
/// false the entry is known not to be in the WAL; when true it may be (the store's answer was lost
/// and reading back could not tell), so a client retry must carry its idempotency key.
/// </summary>
public sealed class WalCommitException : Exception
{
    public WalCommitException()
        : this("The WAL commit failed.")
    {
    }

    public WalCommitException(string message)
        : base(message)
    {
    }

    public WalCommitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WalCommitException(string namespaceId, long sequence, bool mayHaveBeenApplied, string detail, Exception? innerException = null)
        : base($"WAL commit of namespace {namespaceId} at sequence {sequence} failed{(mayHaveBeenApplied ? " (outcome unknown)" : string.Empty)}: {detail}", innerException)
    {
        NamespaceId = namespaceId;
        Sequence = sequence;
        MayHaveBeenApplied = mayHaveBeenApplied;
    }

    /// <summary>The namespace of the failed batch.</summary>
    public string? NamespaceId { get; }

    /// <summary>The sequence the batch was last tried at (0 when none was chosen).</summary>
    public long Sequence { get; }

    /// <summary>Whether the entry may be in the WAL despite the failure.</summary>
    public bool MayHaveBeenApplied { get; }
}
