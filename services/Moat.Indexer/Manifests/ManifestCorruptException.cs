namespace Moat.Indexer.Manifests;

/// <summary>A manifest object does not hold the manifest its key names (namespace, version or chain).</summary>
public sealed class ManifestCorruptException : Exception
{
    public ManifestCorruptException()
        : this("A manifest is corrupt.")
    {
    }

    public ManifestCorruptException(string message)
        : base(message)
    {
    }

    public ManifestCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
