namespace Moat.Storage.ObjectStore;

/// <summary>
/// A conditional put or delete found its condition false (the key exists for if-absent; the ETag
/// differs for if-match). The stored object is unchanged. Not retryable as is: re-read and decide.
/// </summary>
public sealed class ObjectStorePreconditionFailedException : ObjectStoreException
{
    public ObjectStorePreconditionFailedException()
        : this("object store precondition failed")
    {
    }

    public ObjectStorePreconditionFailedException(string message)
        : base(message)
    {
    }

    public ObjectStorePreconditionFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ObjectStorePreconditionFailedException(string key, PutCondition condition, string? detail = null)
        : base(key, $"Object '{key}': precondition {condition} failed{(detail is null ? string.Empty : ": " + detail)}; the object is unchanged.")
    {
        Condition = condition;
    }

    /// <summary>The condition that did not hold (for a conditional delete, <see cref="PutCondition.IfMatch"/>).</summary>
    public PutCondition? Condition { get; }
}
