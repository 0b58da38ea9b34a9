namespace Moat.Storage.ObjectStore;

/// <summary>
/// A conditional put's request may have reached the store but its answer was lost, and reading back
/// could not decide whether it was applied (the store stayed unavailable, or the object changed
/// again since). The caller must re-read and decide with its own knowledge; it must not assume
/// either outcome.
/// </summary>
public sealed class ObjectStoreOutcomeUnknownException : ObjectStoreUnavailableException
{
    public ObjectStoreOutcomeUnknownException()
        : this("object store outcome unknown")
    {
    }

    public ObjectStoreOutcomeUnknownException(string message)
        : base(message)
    {
    }

    public ObjectStoreOutcomeUnknownException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ObjectStoreOutcomeUnknownException(string key, PutCondition condition, string detail, Exception? innerException = null)
        : base(key, $"Object '{key}': the outcome of the {condition} put is unknown: {detail}.", innerException)
    {
    }
}
