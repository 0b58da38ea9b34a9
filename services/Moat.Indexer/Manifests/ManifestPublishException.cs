namespace Moat.Indexer.Manifests;

/// <summary>Publishing a manifest failed without a known outcome (or certainly not applied, when <see cref="MayHaveBeenPublished"/> is false).</summary>
public sealed class ManifestPublishException : Exception
{
    public ManifestPublishException()
        : this("Publishing a manifest failed.")
    {
    }

    public ManifestPublishException(string message)
        : base(message)
    {
        NamespaceId = string.Empty;
        MayHaveBeenPublished = true;
    }

    public ManifestPublishException(string message, Exception innerException)
        : base(message, innerException)
    {
        NamespaceId = string.Empty;
        MayHaveBeenPublished = true;
    }

    public ManifestPublishException(string namespaceId, long version, bool mayHaveBeenPublished, Exception innerException)
        : base($"Publishing manifest {version} of namespace {namespaceId} did not resolve (may have been published: {mayHaveBeenPublished}); the next run re-reads the latest manifest.", innerException)
    {
        NamespaceId = namespaceId;
        Version = version;
        MayHaveBeenPublished = mayHaveBeenPublished;
    }

    public string NamespaceId { get; }

    public long Version { get; }

    /// <summary>False only when the manifest certainly did not reach the store.</summary>
    public bool MayHaveBeenPublished { get; }
}
