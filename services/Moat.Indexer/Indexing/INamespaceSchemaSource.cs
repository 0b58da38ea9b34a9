using Moat.V1;

namespace Moat.Indexer.Indexing;

/// <summary>
/// The namespace config segments are built with (vector columns, attribute schema, id kind). The
/// write host reads it from the namespace's sealed <c>meta</c>, the authority for config (DESIGN section 4).
/// </summary>
public interface INamespaceSchemaSource
{
    /// <summary>The namespace's current config and its version.</summary>
    ValueTask<NamespaceSchema> GetSchemaAsync(string namespaceId, CancellationToken cancellationToken);
}

/// <summary>A namespace config and its version (the WAL entries' <c>schema_version</c>).</summary>
public sealed record NamespaceSchema(NamespaceConfig Config, ulong Version);
