namespace Moat.Storage.ObjectStore;

/// <summary>
/// A region's object store (DESIGN section 5): get with byte range, put with a condition, head,
/// ordered list by prefix with start-after, delete. Keys are '/'-separated relative paths checked
/// by <see cref="ObjectKey"/>.
/// </summary>
/// <remarks>
/// Errors: <see cref="ObjectStorePreconditionFailedException"/> when a condition does not hold (the
/// object is unchanged); <see cref="ObjectStoreUnavailableException"/> (and its subclasses) for
/// transient failures that may be retried when the operation is idempotent;
/// <see cref="ObjectStoreRangeNotSatisfiableException"/> for a range that starts past the end;
/// <see cref="ArgumentException"/> for an invalid key or prefix; any other
/// <see cref="ObjectStoreException"/> is permanent.
/// </remarks>
public interface IObjectStore
{
    /// <summary>The region this store belongs to; a service refuses a store of another region.</summary>
    string Region { get; }

    /// <summary>
    /// Reads an object, or the part <paramref name="range"/> selects. Returns null when the key is absent.
    /// A range that ends past the end of the object is truncated to the object; one that starts past the
    /// end (offset &gt; length) throws <see cref="ObjectStoreRangeNotSatisfiableException"/>; one that
    /// starts exactly at the end returns no bytes.
    /// </summary>
    Task<StoredObject?> GetAsync(string key, ByteRange? range, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the whole object if <paramref name="condition"/> holds, atomically and durably, and
    /// returns its new ETag. Throws <see cref="ObjectStorePreconditionFailedException"/> when the
    /// condition does not hold; the stored object is then unchanged.
    /// </summary>
    Task<string> PutAsync(string key, ReadOnlyMemory<byte> data, PutCondition condition, CancellationToken cancellationToken);

    /// <summary>The object's metadata, or null when the key is absent.</summary>
    Task<ObjectMetadata?> HeadAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// The objects whose keys start with <paramref name="prefix"/> ("" for all) and sort after
    /// <paramref name="startAfter"/> (exclusive; null for none), in ordinal key order.
    /// </summary>
    IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the object. Idempotent: deleting an absent key succeeds. With
    /// <paramref name="ifMatchETag"/>, a present object is deleted only when its ETag matches
    /// (else <see cref="ObjectStorePreconditionFailedException"/>); an absent one still succeeds.
    /// </summary>
    Task DeleteAsync(string key, string? ifMatchETag, CancellationToken cancellationToken);
}
