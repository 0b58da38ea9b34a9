using System.Globalization;

namespace Moat.Storage.ObjectStore;

/// <summary>
/// A byte range of an object: <see cref="Offset"/> and, optionally, <see cref="Length"/> (null: to the end).
/// HTTP's "bytes=first-last" is <c>new ByteRange(first, last - first + 1)</c>.
/// </summary>
public readonly record struct ByteRange
{
    public ByteRange(long offset, long? length = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } l)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(l, nameof(length));
        }

        Offset = offset;
        Length = length;
    }

    /// <summary>The first byte, from 0.</summary>
    public long Offset { get; }

    /// <summary>How many bytes at most; null for "to the end of the object".</summary>
    public long? Length { get; }

    /// <summary>From <paramref name="offset"/> to the end of the object.</summary>
    public static ByteRange From(long offset) => new(offset);

    /// <summary>The part of an object of <paramref name="objectLength"/> bytes this range selects: (offset, count).</summary>
    /// <exception cref="ObjectStoreRangeNotSatisfiableException">The range starts past the end.</exception>
    public (long Offset, long Count) Resolve(string key, long objectLength)
    {
        if (Offset > objectLength)
        {
            throw new ObjectStoreRangeNotSatisfiableException(key, this, objectLength);
        }

        var available = objectLength - Offset;
        return (Offset, Length is { } l ? Math.Min(l, available) : available);
    }

    public override string ToString() =>
        Length is { } l
            ? string.Create(CultureInfo.InvariantCulture, $"bytes={Offset}-{Offset + l - 1}")
            : string.Create(CultureInfo.InvariantCulture, $"bytes={Offset}-");
}
