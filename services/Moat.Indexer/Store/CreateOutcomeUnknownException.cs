namespace Moat.Indexer.Store;

/// <summary>A create-if-absent put whose outcome could not be resolved (the object may or may not be there).</summary>
public sealed class CreateOutcomeUnknownException : Exception
{
    public CreateOutcomeUnknownException()
        : this("an object", true, "the outcome of a put is unknown", null)
    {
    }

    public CreateOutcomeUnknownException(string message)
        : base(message)
    {
        Key = string.Empty;
        MayHaveBeenCreated = true;
    }

    public CreateOutcomeUnknownException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = string.Empty;
        MayHaveBeenCreated = true;
    }

    public CreateOutcomeUnknownException(string key, bool mayHaveBeenCreated, string reason, Exception? innerException)
        : base($"Creating '{key}' did not resolve: {reason}.", innerException)
    {
        Key = key;
        MayHaveBeenCreated = mayHaveBeenCreated;
    }

    /// <summary>The object key.</summary>
    public string Key { get; }

    /// <summary>False only when the put certainly did not reach the store.</summary>
    public bool MayHaveBeenCreated { get; }
}
