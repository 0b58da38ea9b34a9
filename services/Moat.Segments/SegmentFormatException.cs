namespace Moat.Segments;

/// <summary>Bytes that claim a supported format version but are malformed, or input that cannot be encoded (schema mismatch).</summary>
public sealed class SegmentFormatException : Exception
{
    public SegmentFormatException()
    {
    }

    public SegmentFormatException(string message)
        : base(message)
    {
    }

    public SegmentFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
