namespace Moat.Segments;

/// <summary>An on-store object has a format version this reader does not accept, or is not the expected kind of object.</summary>
public sealed class FormatVersionException : Exception
{
    public FormatVersionException()
    {
    }

    public FormatVersionException(string message)
        : base(message)
    {
    }

    public FormatVersionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The version found in the object (0 when the object was not recognised at all).</summary>
    public int FoundVersion { get; init; }
}
