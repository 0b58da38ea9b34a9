using Moat.Storage.Sealing;

namespace Moat.Wal;

/// <summary>The data keys the WAL seals and unseals a namespace's entries with.</summary>
public interface IWalKeySource
{
    /// <summary>The namespace's current DEK: the keyring version that holds it, its id and its 32 bytes.</summary>
    ValueTask<(long KeyringVersion, uint DekId, ReadOnlyMemory<byte> Key)> GetCurrentAsync(string namespaceId, CancellationToken cancellationToken);

    /// <summary>Resolves the DEKs that sealed headers of the namespace name (for reading entries back).</summary>
    IDataKeySource DataKeys(string namespaceId);
}
