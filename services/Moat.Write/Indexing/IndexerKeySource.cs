using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Indexer.Keys;
using Moat.Internal.V1;
using Moat.Keys.Client;
using Moat.Storage.Sealing;
using Moat.V1;

namespace Moat.Write.Indexing;

/// <summary>
/// The indexer's keys from KeyVault with service purposes (INDEX, COMPACT, GC): granted only to the
/// home region's write identity, never with a caller's principal (DESIGN section 4). Disabled and
/// destroyed keys fail here, so indexing stops with the namespace's key.
/// </summary>
internal sealed class IndexerKeySource(KeyVaultKeySource keys, NamespaceOrgs orgs) : IServiceKeySource
{
    /// <summary>A private copy of the current DEK, zeroed when the caller disposes the lease after sealing.</summary>
    public async ValueTask<SealingKey> GetCurrentAsync(string namespaceId, KeyPurpose purpose, CancellationToken cancellationToken) =>
        await keys.GetCurrentAsync(Access(namespaceId, purpose), cancellationToken).ConfigureAwait(false);

    public IDataKeySource DataKeys(string namespaceId, KeyPurpose purpose) => keys.DataKeys(Access(namespaceId, purpose));

    private KeyAccess Access(string namespaceId, KeyPurpose purpose)
    {
        var org = orgs.Find(namespaceId)
            ?? throw new MoatException(StatusCode.Unavailable, ErrorReason.KeyStateUnavailable, "the namespace's org is not known to this write process yet; it is indexed after its next write here");
        return KeyAccess.ForService(org, namespaceId, purpose);
    }
}
