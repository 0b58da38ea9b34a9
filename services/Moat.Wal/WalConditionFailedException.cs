namespace Moat.Wal;

/// <summary>
/// A conditional write's expected namespace version (the sequence of the WAL's last entry) was not
/// the WAL's tail when it was committed: nothing was written. <see cref="CurrentVersion"/> is the
/// tail seen (at least that: another writer may have moved it since).
/// </summary>
public sealed class WalConditionFailedException : Exception
{
    public WalConditionFailedException()
        : this("The namespace version condition did not hold.")
    {
    }

    public WalConditionFailedException(string message)
        : base(message)
    {
    }

    public WalConditionFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WalConditionFailedException(string namespaceId, long expectedVersion, long currentVersion)
        : base($"The version of namespace {namespaceId} is {currentVersion}, not the expected {expectedVersion}; nothing was written.")
    {
        NamespaceId = namespaceId;
        ExpectedVersion = expectedVersion;
        CurrentVersion = currentVersion;
    }

    public string? NamespaceId { get; }

    public long ExpectedVersion { get; }

    public long CurrentVersion { get; }
}
