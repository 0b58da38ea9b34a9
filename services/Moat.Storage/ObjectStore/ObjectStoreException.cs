namespace Moat.Storage.ObjectStore;

/// <summary>
/// An object-store operation failed. This base type is a permanent failure (retrying will not help);
/// <see cref="ObjectStoreUnavailableException"/> marks the transient ones.
/// </summary>
public class ObjectStoreException : Exception
{
    public ObjectStoreException()
        : this("object store operation failed")
    {
    }

    public ObjectStoreException(string message)
        : base(message)
    {
    }

    public ObjectStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ObjectStoreException(string? key, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Key = key;
    }

    /// <summary>The key the operation concerned, when it concerned one.</summary>
    public string? Key { get; }
}
