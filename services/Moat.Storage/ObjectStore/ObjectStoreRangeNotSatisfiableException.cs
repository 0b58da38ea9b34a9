using System.Globalization;

namespace Moat.Storage.ObjectStore;

/// <summary>A ranged get started past the end of the object (HTTP 416). Permanent for that object.</summary>
public sealed class ObjectStoreRangeNotSatisfiableException : ObjectStoreException
{
    public ObjectStoreRangeNotSatisfiableException()
        : this("range not satisfiable")
    {
    }

    public ObjectStoreRangeNotSatisfiableException(string message)
        : base(message)
    {
    }

    public ObjectStoreRangeNotSatisfiableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ObjectStoreRangeNotSatisfiableException(string key, ByteRange range, long objectLength)
        : base(key, string.Create(CultureInfo.InvariantCulture, $"Object '{key}': range {range} starts past the end of the object ({objectLength} bytes)."))
    {
        ObjectLength = objectLength;
    }

    /// <summary>The object's length.</summary>
    public long ObjectLength { get; }
}
