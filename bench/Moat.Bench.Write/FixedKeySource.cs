using System.Security.Cryptography;
using Moat.Storage.Sealing;
using Moat.Wal;

namespace Moat.Bench.Write;

/// <summary>
/// One random 32-byte DEK for every namespace, held in process: the write service's key cache
/// answers the same way once a namespace's DEK is fetched, so no KeyVault call is on the path.
/// </summary>
internal sealed class FixedKeySource : IWalKeySource, IDataKeySource
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public ValueTask<SealingKey> GetCurrentAsync(string namespaceId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SealingKey.Borrowed(1L, 1u, _key));

    public IDataKeySource DataKeys(string namespaceId) => this;

    public ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ReadOnlyMemory<byte>?>(keyringVersion == 1 && dekId == 1 ? _key : null);
}
