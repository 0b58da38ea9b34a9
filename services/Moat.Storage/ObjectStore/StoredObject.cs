namespace Moat.Storage.ObjectStore;

/// <summary>The result of a get: the object's metadata and the bytes read.</summary>
/// <param name="Metadata">Metadata of the whole object (its <see cref="ObjectMetadata.Length"/> is the full length).</param>
/// <param name="Data">The bytes read: the whole object, or the part of the requested range that exists.</param>
/// <param name="Offset">Where <paramref name="Data"/> starts in the object (0 for a whole-object read).</param>
public sealed record StoredObject(ObjectMetadata Metadata, ReadOnlyMemory<byte> Data, long Offset);
