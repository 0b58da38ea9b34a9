using Moat.Internal.V1;
using Moat.Storage.Sealing;
using Moat.Wal;

namespace Moat.Indexer.Keys;

/// <summary>Adapters between <see cref="IServiceKeySource"/> and the WAL's <see cref="IWalKeySource"/>.</summary>
public static class ServiceKeySource
{
    /// <summary>A service key source over a WAL key source that needs no purpose (tests, embedded use).</summary>
    public static IServiceKeySource FromWalKeySource(IWalKeySource keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new WalKeys(keys);
    }

    /// <summary>The WAL key source view of <paramref name="keys"/> for one purpose (e.g. for <see cref="WalReader"/>).</summary>
    public static IWalKeySource ForPurpose(this IServiceKeySource keys, KeyPurpose purpose)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys is WalKeys wal ? wal.Inner : new Purposed(keys, purpose);
    }

    private sealed class WalKeys(IWalKeySource inner) : IServiceKeySource
    {
        public IWalKeySource Inner => inner;

        public ValueTask<SealingKey> GetCurrentAsync(string namespaceId, KeyPurpose purpose, CancellationToken cancellationToken) =>
            inner.GetCurrentAsync(namespaceId, cancellationToken);

        public IDataKeySource DataKeys(string namespaceId, KeyPurpose purpose) => inner.DataKeys(namespaceId);
    }

    private sealed class Purposed(IServiceKeySource inner, KeyPurpose purpose) : IWalKeySource
    {
        public ValueTask<SealingKey> GetCurrentAsync(string namespaceId, CancellationToken cancellationToken) =>
            inner.GetCurrentAsync(namespaceId, purpose, cancellationToken);

        public IDataKeySource DataKeys(string namespaceId) => inner.DataKeys(namespaceId, purpose);
    }
}
