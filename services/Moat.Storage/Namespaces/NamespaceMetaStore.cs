using System.Collections.Concurrent;
using System.Security.Cryptography;
using Moat.Internal.V1;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;

namespace Moat.Storage.Namespaces;

/// <summary>
/// Reads and writes namespaces' meta (<c>v1/ns/{nsid}/meta</c>, docs/namespaces.md): sealed under the
/// namespace's DEK, created if absent (the authority: the first creator wins and every later
/// creator gets what is stored), changed only by compare-and-swap. Reads are cached for a short
/// time; meta only ever grows (attributes are added, never changed), and every change is a
/// compare-and-swap against the stored ETag, so a stale cached copy can cause a retry, never a
/// lost change. A cached copy is plaintext: callers drop it (<see cref="Invalidate"/>) when the
/// namespace's key becomes unusable.
/// </summary>
public sealed class NamespaceMetaStore
{
    private readonly IObjectStore _store;
    private readonly TimeSpan _cacheTtl;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (NamespaceMetaRecord Record, DateTimeOffset FreshUntil)> _cache = new(StringComparer.Ordinal);

    public NamespaceMetaStore(IObjectStore store, TimeSpan cacheTtl, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheTtl, TimeSpan.Zero);
        _store = store;
        _cacheTtl = cacheTtl;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The namespace's meta, or null when it has none (not created, or deleted).</summary>
    /// <param name="keys">Resolves the DEK the stored header names (the caller's access to the namespace's keys).</param>
    /// <param name="fresh">Bypass the cache (after a lost compare-and-swap).</param>
    public async Task<NamespaceMetaRecord?> GetAsync(string namespaceId, IDataKeySource keys, CancellationToken cancellationToken, bool fresh = false)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var path = StoragePaths.Meta(CheckId(namespaceId));
        if (!fresh && _cache.TryGetValue(namespaceId, out var cached) && cached.FreshUntil > _time.GetUtcNow())
        {
            return cached.Record;
        }

        var stored = await _store.GetAsync(path, null, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            _cache.TryRemove(namespaceId, out _);
            return null;
        }

        var plaintext = await SealedObjectReader.UnsealAsync(stored.Data, path, keys, cancellationToken).ConfigureAwait(false);
        try
        {
            var meta = NamespaceMetaCodec.Decode(plaintext);
            if (meta.NamespaceId != namespaceId)
            {
                throw new NamespaceMetaFormatException($"The meta object of namespace '{namespaceId}' names namespace '{meta.NamespaceId}'.");
            }

            return Remember(namespaceId, new NamespaceMetaRecord(meta, stored.Metadata.ETag));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>
    /// Writes <paramref name="meta"/> if the namespace has none. Returns what is stored afterwards and
    /// whether this call wrote it (false: an earlier or racing creator's meta, returned unchanged).
    /// </summary>
    public async Task<(NamespaceMetaRecord Record, bool Created)> CreateIfAbsentAsync(NamespaceMeta meta, SealingKey key, IDataKeySource keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(key);
        var namespaceId = CheckId(meta.NamespaceId);
        var path = StoragePaths.Meta(namespaceId);
        var sealedMeta = Seal(meta, path, key);
        try
        {
            var etag = await _store.PutAsync(path, sealedMeta, PutCondition.IfAbsent, cancellationToken).ConfigureAwait(false);
            return (Remember(namespaceId, new NamespaceMetaRecord(meta.Clone(), etag)), true);
        }
        catch (ObjectStorePreconditionFailedException)
        {
            var existing = await GetAsync(namespaceId, keys, cancellationToken, fresh: true).ConfigureAwait(false)
                ?? throw new ObjectStoreException(path, $"Object '{path}': the meta existed when it was created but not when it was read back; retry.");
            return (existing, false);
        }
    }

    /// <summary>
    /// Replaces the meta if it is still <paramref name="current"/> (compare-and-swap on its ETag).
    /// Throws <see cref="ObjectStorePreconditionFailedException"/> when another writer changed it
    /// first: read it again (<c>fresh</c>) and redo the change.
    /// </summary>
    public async Task<NamespaceMetaRecord> ReplaceAsync(NamespaceMetaRecord current, NamespaceMeta updated, SealingKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(key);
        var namespaceId = CheckId(current.Meta.NamespaceId);
        if (updated.NamespaceId != namespaceId || updated.SchemaVersion != current.Meta.SchemaVersion + 1)
        {
            throw new ArgumentException("A meta change keeps the namespace id and increments schema_version by one.", nameof(updated));
        }

        var path = StoragePaths.Meta(namespaceId);
        var sealedMeta = Seal(updated, path, key);
        try
        {
            var etag = await _store.PutAsync(path, sealedMeta, PutCondition.IfMatch(current.ETag), cancellationToken).ConfigureAwait(false);
            return Remember(namespaceId, new NamespaceMetaRecord(updated.Clone(), etag));
        }
        catch (ObjectStoreException)
        {
            // Lost the race, or an unknown outcome: the next read goes to the store.
            Invalidate(namespaceId);
            throw;
        }
    }

    /// <summary>Drops the cached copy of a namespace's meta (its key became unusable, or it was deleted).</summary>
    public void Invalidate(string namespaceId) => _cache.TryRemove(namespaceId, out _);

    private NamespaceMetaRecord Remember(string namespaceId, NamespaceMetaRecord record)
    {
        if (_cacheTtl > TimeSpan.Zero)
        {
            _cache[namespaceId] = (record, _time.GetUtcNow() + _cacheTtl);
        }

        return record;
    }

    private static byte[] Seal(NamespaceMeta meta, string path, SealingKey key)
    {
        var plaintext = NamespaceMetaCodec.Encode(meta);
        try
        {
            return SealedObjectWriter.Seal(plaintext, path, key.KeyringVersion, key.DekId, key.Key.Span);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static string CheckId(string namespaceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespaceId);
        if (namespaceId.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("A namespace id is one path segment.", nameof(namespaceId));
        }

        return namespaceId;
    }
}
