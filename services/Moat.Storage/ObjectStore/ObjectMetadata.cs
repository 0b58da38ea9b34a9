namespace Moat.Storage.ObjectStore;

/// <summary>What a store knows about one object without its bytes.</summary>
/// <param name="Key">The object's key.</param>
/// <param name="ETag">Changes whenever the content changes (opaque; compare ordinally).</param>
/// <param name="Length">The whole object's length in bytes.</param>
/// <param name="LastModified">When the current content was written.</param>
public sealed record ObjectMetadata(string Key, string ETag, long Length, DateTimeOffset LastModified);
