namespace Moat.Storage.Sealing;

/// <summary>Fetches byte ranges of a stored (sealed) object, e.g. an object-store ranged GET.</summary>
public interface IRangeSource
{
    /// <summary>
    /// Returns the stored bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>).
    /// Fewer bytes (possibly none) only when the stored object ends first; never more.
    /// </summary>
    ValueTask<ReadOnlyMemory<byte>> ReadAsync(long offset, int length, CancellationToken cancellationToken);
}
