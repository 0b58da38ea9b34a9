namespace Moat.Search;

/// <summary>
/// Which bytes behind a column are in memory. A stored segment read by ranges (the query service's
/// cold path) is only partly present: the engine asks before it touches rows of the large parts
/// (vector rows, an index's inverted lists) and ends the query with
/// <see cref="NotResidentException"/> naming what it lacks, so the caller fetches exactly that and
/// runs the query again. Null residency means everything is present.
/// </summary>
public interface IResidency
{
    /// <summary>Whether every byte of <paramref name="bytes"/> (a slice of the segment's memory) is present.</summary>
    bool Contains(ReadOnlyMemory<byte> bytes);
}
