using Moat.Internal.V1;

namespace Moat.Storage.Namespaces;

/// <summary>A namespace's meta as read from the store, with the ETag a compare-and-swap update names.</summary>
public sealed record NamespaceMetaRecord(NamespaceMeta Meta, string ETag);
