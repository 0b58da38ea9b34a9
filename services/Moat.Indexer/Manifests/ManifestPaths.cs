using Moat.Storage;

namespace Moat.Indexer.Manifests;

/// <summary>Keys of a namespace's manifests: <c>v1/ns/{nsid}/manifest/{ver:D20}</c> (<see cref="StoragePaths.Manifest"/>).</summary>
public static class ManifestPaths
{
    /// <summary>The list prefix of the namespace's manifests.</summary>
    public static string Prefix(string namespaceId) => StoragePaths.NamespaceRoot(namespaceId) + "manifest/";

    /// <summary>The version a manifest key names, or false for a key that is not <c>{prefix}{20 digits}</c> with a positive version.</summary>
    public static bool TryParseVersion(string key, string prefix, out long version) =>
        StoragePaths.TryParseSequenceKey(key, prefix, out version);
}
