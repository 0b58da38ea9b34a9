namespace Moat.Storage.ObjectStore;

/// <summary>
/// A transient failure: the store could not be reached, answered "try later", or the request's
/// outcome is lost. Idempotent operations may be retried; a conditional put whose request may have
/// reached the store must be resolved by reading (see <see cref="ResilientObjectStore"/>).
/// </summary>
public class ObjectStoreUnavailableException : ObjectStoreException
{
    public ObjectStoreUnavailableException()
        : this("object store unavailable")
    {
    }

    public ObjectStoreUnavailableException(string message)
        : base(message)
    {
    }

    public ObjectStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ObjectStoreUnavailableException(string? key, string message, Exception? innerException = null)
        : base(key, message, innerException)
    {
    }
}
