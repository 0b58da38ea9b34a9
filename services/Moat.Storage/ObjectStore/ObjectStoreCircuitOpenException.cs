namespace Moat.Storage.ObjectStore;

/// <summary>
/// The circuit breaker is open after repeated failures: the call was not sent to the store
/// (so a conditional put refused this way was certainly not applied). Transient.
/// </summary>
public sealed class ObjectStoreCircuitOpenException : ObjectStoreUnavailableException
{
    public ObjectStoreCircuitOpenException()
        : this("object store circuit is open")
    {
    }

    public ObjectStoreCircuitOpenException(string message)
        : base(message)
    {
    }

    public ObjectStoreCircuitOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ObjectStoreCircuitOpenException(string? key, string operation, Exception? innerException = null)
        : base(key, $"Object store {operation} of '{key ?? "(none)"}' was not sent: the circuit is open after repeated failures.", innerException)
    {
    }
}
