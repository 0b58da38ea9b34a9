using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moat.Indexer.Configuration;
using Moat.Indexer.Keys;
using Moat.Indexer.Store;
using Moat.Internal.V1;
using Moat.Segments.Manifests;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;

namespace Moat.Indexer.Manifests;

/// <summary>
/// A namespace's manifests on the object store (docs/indexer.md): find the latest, read and unseal
/// one, publish the next create-if-absent. Versions are dense and write-once; the latest is found by
/// listing only after the highest version this process has seen, so steady state lists one page, or,
/// for a caller that knows the version it saw last, by probing the next version without listing.
/// </summary>
public sealed class ManifestStore
{
    private const int MaxLatestAttempts = 4;

    /// <summary>Versions probed one by one before a caller far behind lists instead.</summary>
    private const int MaxProbes = 4;

    private readonly IObjectStore _store;
    private readonly IServiceKeySource _keys;
    private readonly IndexerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, long> _known = new(StringComparer.Ordinal);

    public ManifestStore(IObjectStore store, IServiceKeySource keys, IndexerOptions options, TimeProvider? timeProvider = null, ILogger<ManifestStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _store = store;
        _keys = keys;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The highest manifest version of the namespace, or 0 when it has none.</summary>
    public async Task<long> GetLatestVersionAsync(string namespaceId, CancellationToken cancellationToken)
    {
        CheckNamespace(namespaceId);
        return await ListLatestAsync(namespaceId, _known.GetValueOrDefault(namespaceId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The highest manifest version of the namespace, for a caller that saw version
    /// <paramref name="seen"/> (≥ 1) as the latest: "anything new?" without listing. Versions are
    /// dense and each is created at exactly last + 1, so this probes seen + 1, seen + 2, ... (HEAD) up
    /// to the first absent one, L + 1. An absent L + 1 proves L the latest only while L still exists:
    /// GC deletes manifests oldest first, so L present after L + 1 was seen absent means L + 1 was
    /// never deleted, hence never created (and L + 2 needs L + 1 first). So L is checked again after
    /// the miss; when it is gone (the caller was away past the reader grace) this lists from the
    /// start, and after <see cref="MaxProbes"/> present versions it lists after the last one.
    /// Nothing new costs two requests: HEAD seen + 1 (absent), HEAD seen (present).
    /// </summary>
    public async Task<long> GetLatestVersionAfterAsync(string namespaceId, long seen, CancellationToken cancellationToken)
    {
        CheckNamespace(namespaceId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seen);
        var latest = seen;
        while (await ExistsAsync(namespaceId, latest + 1, cancellationToken).ConfigureAwait(false))
        {
            latest++;
            if (latest - seen >= MaxProbes)
            {
                // Far behind: one listing after a version seen present finds the newest (never collected).
                return await ListLatestAsync(namespaceId, latest, cancellationToken).ConfigureAwait(false);
            }
        }

        if (!await ExistsAsync(namespaceId, latest, cancellationToken).ConfigureAwait(false))
        {
            // Collected since it was seen, so latest + 1 may have been too: only a listing knows.
            return await ListLatestAsync(namespaceId, 0, cancellationToken).ConfigureAwait(false);
        }

        Remember(namespaceId, latest);
        return latest;
    }

    /// <summary>The namespace's latest manifest, or null when it has none (nothing indexed yet).</summary>
    public async Task<Manifest?> GetLatestAsync(string namespaceId, KeyPurpose purpose, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var version = await GetLatestVersionAsync(namespaceId, cancellationToken).ConfigureAwait(false);
            if (version == 0)
            {
                return null;
            }

            var manifest = await ReadAsync(namespaceId, version, purpose, cancellationToken).ConfigureAwait(false);
            if (manifest is not null)
            {
                return manifest;
            }

            // Only a superseded manifest is ever collected, so a newer one exists: list from scratch.
            _known.TryRemove(namespaceId, out _);
            if (attempt >= MaxLatestAttempts)
            {
                throw new ManifestCorruptException($"Manifest {version} of namespace {namespaceId} was listed as the latest but is absent ({attempt} attempts).");
            }
        }
    }

    /// <summary>Manifest <paramref name="version"/>, or null when it is absent. Checks that it names its namespace, version and predecessor.</summary>
    public async Task<Manifest?> ReadAsync(string namespaceId, long version, KeyPurpose purpose, CancellationToken cancellationToken)
    {
        CheckNamespace(namespaceId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        var key = StoragePaths.Manifest(namespaceId, version);
        StoredObject? stored;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_options.StoreCallTimeout);
            stored = await _store.GetAsync(key, null, timeout.Token).ConfigureAwait(false);
        }

        if (stored is null)
        {
            return null;
        }

        var plaintext = await SealedObjectReader.UnsealAsync(stored.Data, key, _keys.DataKeys(namespaceId, purpose), cancellationToken).ConfigureAwait(false);
        var manifest = ManifestCodec.Decode(plaintext);
        if (manifest.NamespaceId != namespaceId || manifest.Version != (ulong)version || manifest.PreviousVersion != (ulong)version - 1)
        {
            throw new ManifestCorruptException($"The manifest object '{key}' holds manifest {manifest.Version} (previous {manifest.PreviousVersion}) of namespace '{manifest.NamespaceId}'.");
        }

        Remember(namespaceId, version);
        return manifest;
    }

    /// <summary>Every manifest version present, oldest first (for GC; the list, not the contents).</summary>
    public async Task<IReadOnlyList<StoredManifest>> ListAsync(string namespaceId, CancellationToken cancellationToken)
    {
        CheckNamespace(namespaceId);
        var prefix = ManifestPaths.Prefix(namespaceId);
        var all = new List<StoredManifest>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StoreCallTimeout);
        await foreach (var item in _store.ListAsync(prefix, null, timeout.Token).ConfigureAwait(false))
        {
            if (ManifestPaths.TryParseVersion(item.Key, prefix, out var version))
            {
                all.Add(new StoredManifest(version, item.Key, item.LastModified));
            }
        }

        if (all.Count > 0)
        {
            Remember(namespaceId, all[^1].Version);
        }

        return all;
    }

    /// <summary>
    /// Publishes <paramref name="manifest"/> at its version, create-if-absent, sealed with the
    /// namespace's current DEK. A lost answer is resolved by reading the version back, never by a
    /// blind retry. Throws <see cref="ManifestPublishException"/> when the outcome stays unknown.
    /// </summary>
    public async Task<ManifestPublishOutcome> PublishAsync(Manifest manifest, KeyPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        CheckNamespace(manifest.NamespaceId);
        if (manifest.Version == 0 || manifest.PreviousVersion != manifest.Version - 1)
        {
            throw new ArgumentException($"A manifest's previous_version must be its version - 1 (version {manifest.Version}, previous {manifest.PreviousVersion}).", nameof(manifest));
        }

        var namespaceId = manifest.NamespaceId;
        var version = (long)manifest.Version;
        var key = StoragePaths.Manifest(namespaceId, version);
        using var dataKey = await _keys.GetCurrentAsync(namespaceId, purpose, cancellationToken).ConfigureAwait(false);
        var plaintext = ManifestCodec.Encode(manifest);
        byte[] sealedManifest;
        try
        {
            sealedManifest = SealedObjectWriter.Seal(plaintext, key, dataKey.KeyringVersion, dataKey.DekId, dataKey.Key.Span);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }

        CreateOutcome outcome;
        try
        {
            outcome = await CreateIfAbsent.PutAsync(_store, key, sealedManifest, _options.StoreCallTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (CreateOutcomeUnknownException e)
        {
            _known.TryRemove(namespaceId, out _);
            throw new ManifestPublishException(namespaceId, version, e.MayHaveBeenCreated, e);
        }

        Remember(namespaceId, version);
        if (outcome == CreateOutcome.Taken)
        {
            IndexerLog.ManifestRaceLost(_logger, namespaceId, version);
            return ManifestPublishOutcome.LostRace;
        }

        IndexerLog.ManifestPublished(_logger, namespaceId, version, (long)manifest.WalWatermark, manifest.Segments.Count);
        return ManifestPublishOutcome.Published;
    }

    /// <summary>Deletes manifest <paramref name="version"/> (GC only; idempotent).</summary>
    public async Task DeleteAsync(string namespaceId, long version, CancellationToken cancellationToken)
    {
        CheckNamespace(namespaceId);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StoreCallTimeout);
        await _store.DeleteAsync(StoragePaths.Manifest(namespaceId, version), null, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Lists the manifests after version <paramref name="after"/> (0: all): the highest of them, else <paramref name="after"/>.</summary>
    private async Task<long> ListLatestAsync(string namespaceId, long after, CancellationToken cancellationToken)
    {
        var prefix = ManifestPaths.Prefix(namespaceId);
        var startAfter = after > 0 ? StoragePaths.Manifest(namespaceId, after) : null;
        var latest = after;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_options.StoreCallTimeout);
            await foreach (var item in _store.ListAsync(prefix, startAfter, timeout.Token).ConfigureAwait(false))
            {
                if (ManifestPaths.TryParseVersion(item.Key, prefix, out var version) && version > latest)
                {
                    latest = version;
                }
            }
        }

        Remember(namespaceId, latest);
        return latest;
    }

    private async Task<bool> ExistsAsync(string namespaceId, long version, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StoreCallTimeout);
        return await _store.HeadAsync(StoragePaths.Manifest(namespaceId, version), timeout.Token).ConfigureAwait(false) is not null;
    }

    internal static void CheckNamespace(string namespaceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespaceId);
        if (namespaceId.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("A namespace id is one path segment; it must not contain '/'.", nameof(namespaceId));
        }
    }

    private void Remember(string namespaceId, long version)
    {
        if (version > 0)
        {
            _known.AddOrUpdate(namespaceId, version, (_, old) => Math.Max(old, version));
        }
    }
}
