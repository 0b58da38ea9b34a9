using Moat.Storage.Sealing;
using Moat.Wal;

namespace Moat.Write.Idempotency;

/// <summary>A <see cref="WalReader"/>'s keys for one access (a caller's, or a service purpose's): unsealing only.</summary>
internal sealed class ReadOnlyWalKeys(IDataKeySource keys) : IWalKeySource
{
    public ValueTask<SealingKey> GetCurrentAsync(string namespaceId, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("These keys read the WAL; entries are sealed by the commit loop's key source.");

    public IDataKeySource DataKeys(string namespaceId) => keys;
}
