using Moat.Storage.Sealing;

namespace Moat.Wal;

/// <summary>The data keys the WAL seals and unseals a namespace's entries with.</summary>
public interface IWalKeySource
{
    /// <summary>
    /// The namespace's current DEK, lent for one seal: the commit loop disposes the lease right after
    /// sealing (an owned copy is zeroed then). Throw to refuse (e.g. the key became unusable): the
    /// batch then fails, not applied.
    /// </summary>
    ValueTask<SealingKey> GetCurrentAsync(string namespaceId, CancellationToken cancellationToken);

    /// <summary>Resolves the DEKs that sealed headers of the namespace name (for reading entries back).</summary>
    IDataKeySource DataKeys(string namespaceId);
}
