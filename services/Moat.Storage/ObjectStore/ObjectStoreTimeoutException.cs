namespace Moat.Storage.ObjectStore;

/// <summary>An object-store call did not complete within its time limit (transient).</summary>
public sealed class ObjectStoreTimeoutException : ObjectStoreUnavailableException
{
    public ObjectStoreTimeoutException()
        : this("object store call timed out")
    {
    }

    public ObjectStoreTimeoutException(string message)
        : base(message)
    {
    }

    public ObjectStoreTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ObjectStoreTimeoutException(string? key, string operation, TimeSpan timeout, int attempts, Exception? innerException = null)
        : base(key, $"Object store {operation} of '{key ?? "(none)"}' did not complete within {timeout.TotalMilliseconds:0} ms ({attempts} attempt{(attempts == 1 ? string.Empty : "s")}).", innerException)
    {
        Timeout = timeout;
    }

    /// <summary>The per-attempt time limit that was exceeded.</summary>
    public TimeSpan Timeout { get; }
}
