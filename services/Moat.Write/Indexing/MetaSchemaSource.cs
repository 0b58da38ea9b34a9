using Moat.Indexer.Indexing;
using Moat.Indexer.Keys;
using Moat.Internal.V1;
using Moat.Storage.Namespaces;

namespace Moat.Write.Indexing;

/// <summary>The config segments are built with: the namespace's sealed <c>meta</c>, the authority for config (DESIGN section 4), read with the INDEX purpose.</summary>
internal sealed class MetaSchemaSource(NamespaceMetaStore meta, IServiceKeySource keys) : INamespaceSchemaSource
{
    public async ValueTask<NamespaceSchema> GetSchemaAsync(string namespaceId, CancellationToken cancellationToken)
    {
        var record = await meta.GetAsync(namespaceId, keys.DataKeys(namespaceId, KeyPurpose.Index), cancellationToken, fresh: true).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Namespace {namespaceId} has WAL entries but no meta.");
        return new NamespaceSchema(record.Meta.Config, record.Meta.SchemaVersion);
    }
}
