using System.Collections.Concurrent;

namespace Moat.Write.Indexing;

/// <summary>
/// Which org owns each namespace this process has written or created. KeyVault releases keys for
/// service purposes by (org, namespace id), and the indexer knows only the id: the write path
/// records the org here from the verified principal of every write and creation.
/// </summary>
public sealed class NamespaceOrgs
{
    private readonly ConcurrentDictionary<string, string> _orgs = new(StringComparer.Ordinal);

    public void Remember(string namespaceId, string org) => _orgs[namespaceId] = org;

    public void Forget(string namespaceId) => _orgs.TryRemove(namespaceId, out _);

    /// <summary>The owning org, or null when this process has not served the namespace since it started.</summary>
    public string? Find(string namespaceId) => _orgs.TryGetValue(namespaceId, out var org) ? org : null;
}
