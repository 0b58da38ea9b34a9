namespace Moat.Storage.Sealing;

/// <summary>
/// Resolves the DEK a sealed header names. Implemented by a keyring (for itself) and by the key
/// cache in services (which loads newer keyring versions when asked for one it does not hold).
/// </summary>
public interface IDataKeySource
{
    /// <summary>
    /// Returns the 32-byte DEK <paramref name="dekId"/> of the namespace, as held by keyring version
    /// <paramref name="keyringVersion"/> or a later one; or <c>null</c> when the namespace's keyring
    /// has no such DEK. A <c>null</c> answer is authoritative: the reader reports the object as
    /// failed (<see cref="SealedObjectFailure.UnknownDataKey"/>). Failures to reach the keys
    /// (store down, key disabled) are thrown and pass through the reader unchanged.
    /// </summary>
    /// <remarks>The memory stays owned by the source; readers use it only to derive the per-object
    /// key and do not keep it.</remarks>
    ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken);
}
