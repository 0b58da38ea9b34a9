using Moat.Internal.V1;
using Moat.Storage.Sealing;

namespace Moat.Indexer.Keys;

/// <summary>
/// A namespace's data keys, asked for with the purpose of the work (DESIGN section 4: the indexer,
/// compaction and GC act with service purposes INDEX / COMPACT / GC, never as a caller). The write
/// host passes the purpose on to KeyVault (<see cref="KeyPurpose"/>); a reader serving a request
/// asks with <see cref="KeyPurpose.CallerRequest"/>.
/// </summary>
public interface IServiceKeySource
{
    /// <summary>The namespace's current DEK (to seal new objects), lent for one seal: the caller disposes the lease right after (an owned copy is zeroed then).</summary>
    ValueTask<SealingKey> GetCurrentAsync(string namespaceId, KeyPurpose purpose, CancellationToken cancellationToken);

    /// <summary>Resolves the DEKs that sealed headers of the namespace name (to unseal).</summary>
    IDataKeySource DataKeys(string namespaceId, KeyPurpose purpose);
}
