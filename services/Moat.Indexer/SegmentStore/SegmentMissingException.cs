namespace Moat.Indexer.SegmentStore;

/// <summary>A segment a manifest names is absent or is not the segment its key names.</summary>
public sealed class SegmentMissingException : Exception
{
    public SegmentMissingException()
        : this("A segment named by a manifest is missing.")
    {
    }

    public SegmentMissingException(string message)
        : base(message)
    {
    }

    public SegmentMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
