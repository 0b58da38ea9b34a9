namespace Moat.Search;

/// <summary>
/// A query needed bytes that are not in memory yet (see <see cref="IResidency"/>). The caller
/// fetches <see cref="Needed"/> (slices of the segments' memory) and runs the query again; no
/// partial result escapes.
/// </summary>
public sealed class NotResidentException : Exception
{
    public NotResidentException()
        : this([])
    {
    }

    public NotResidentException(string message)
        : base(message)
    {
        Needed = [];
    }

    public NotResidentException(string message, Exception innerException)
        : base(message, innerException)
    {
        Needed = [];
    }

    public NotResidentException(IReadOnlyList<ReadOnlyMemory<byte>> needed)
        : base($"The query needs {needed?.Count ?? 0} ranges that are not in memory yet.")
    {
        ArgumentNullException.ThrowIfNull(needed);
        Needed = needed;
    }

    /// <summary>Slices of segment memory to bring in before running the query again.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Needed { get; }
}
