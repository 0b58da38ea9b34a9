namespace Moat.Indexer.Manifests;

/// <summary>A manifest version present in the store, as listed (not read).</summary>
/// <param name="Version">The manifest version (the key's {ver}).</param>
/// <param name="Key">Its object key.</param>
/// <param name="LastModified">When the store wrote it (the store's clock).</param>
public sealed record StoredManifest(long Version, string Key, DateTimeOffset LastModified);
