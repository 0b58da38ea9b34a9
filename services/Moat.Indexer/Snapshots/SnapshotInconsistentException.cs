namespace Moat.Indexer.Snapshots;

/// <summary>A snapshot could not be assembled consistently (the WAL past the watermark kept having a gap).</summary>
public sealed class SnapshotInconsistentException : Exception
{
    public SnapshotInconsistentException()
        : this("A namespace snapshot could not be assembled consistently.")
    {
    }

    public SnapshotInconsistentException(string message)
        : base(message)
    {
    }

    public SnapshotInconsistentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
