using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Moat.Internal.V1;
using Moat.Storage.ObjectStore;
using Moat.V1;

namespace Moat.Audit;

/// <summary>
/// The checkpoint signer (DESIGN section 10), hosted by KeyVault for its region and by the router
/// for its own chain. As an <see cref="IAuditDigestSigner"/> it signs writers' digests and keeps
/// each org's writer registry (<see cref="AuditPaths.Registry"/>, updated compare-and-swap so
/// several instances may share it); <see cref="CheckpointAsync"/> signs a checkpoint naming every
/// registered writer's latest digest, chained to the previous checkpoint, stored create-if-absent
/// at <see cref="AuditPaths.Checkpoint"/>.
/// </summary>
public sealed class AuditCheckpointer : IAuditDigestSigner
{
    private const int MaxCasAttempts = 64;

    private readonly IObjectStore _store;
    private readonly IAuditSigner _signer;
    private readonly string _region;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _orgLocks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _dirty = new(StringComparer.Ordinal);

    /// <param name="store">The region's object store (audit objects live there).</param>
    /// <param name="signer">The signing key (KeyVault's audit key; the router's own key).</param>
    /// <param name="region">Region written into checkpoints ("" for the router's own chain).</param>
    /// <param name="time">Clock for signed_at.</param>
    public AuditCheckpointer(IObjectStore store, IAuditSigner signer, string region, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(region);
        _store = store;
        _signer = signer;
        _region = region;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Orgs whose registry changed since their last checkpoint by this instance.</summary>
    public IReadOnlyCollection<string> PendingOrgs => [.. _dirty.Keys];

    /// <summary>
    /// Signs <paramref name="body"/> (setting region when empty, and signed_at) after checking it
    /// continues the writer's latest registered digest, and registers it as the writer's head.
    /// </summary>
    /// <exception cref="AuditDigestConflictException">The body does not continue the registered head (carried in the exception).</exception>
    public async Task<SignedAuditDigest> SignDigestAsync(string org, AuditDigestBody body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        AuditOrg.Validate(org);
        if (!string.Equals(body.Org, org, StringComparison.Ordinal))
        {
            throw new ArgumentException("The digest names another org.", nameof(body));
        }

        _ = AuditWriterId.Parse(body.Writer);
        if (body.LastRecordHash.Length != AuditHashes.Size || body.RecordCount == 0)
        {
            throw new ArgumentException("A digest covers at least one record and names its 32-byte hash.", nameof(body));
        }

        for (var attempt = 0; attempt < MaxCasAttempts; attempt++)
        {
            var (registry, etag) = await ReadRegistryAsync(org, cancellationToken).ConfigureAwait(false);
            var entry = registry.Writers.FirstOrDefault(w => string.Equals(w.Writer, body.Writer, StringComparison.Ordinal));
            var headHash = entry?.Latest is { } latest ? AuditHashes.Of(latest.Body.Span) : [];
            var headCount = entry?.Latest is { } l ? AuditChain.ParseDigest(l)?.RecordCount ?? 0 : 0;
            if (!body.PreviousDigestHash.Span.SequenceEqual(headHash) || body.RecordCount <= headCount)
            {
                throw new AuditDigestConflictException(
                    $"Digest of writer '{body.Writer}' (org '{org}') does not continue its latest registered digest.", entry?.Latest);
            }

            var toSign = body.Clone();
            if (toSign.Region.Length == 0)
            {
                toSign.Region = _region;
            }

            toSign.SignedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow());
            var bytes = toSign.ToByteArray();
            var signed = new SignedAuditDigest
            {
                Body = ByteString.CopyFrom(bytes),
                Signature = ByteString.CopyFrom(await _signer.SignAsync(bytes, cancellationToken).ConfigureAwait(false)),
                SigningKeyId = _signer.KeyId,
            };

            if (entry is null)
            {
                entry = new AuditWriterRegistration { Writer = body.Writer };
                registry.Writers.Add(entry);
                var sorted = registry.Writers.OrderBy(w => w.Writer, StringComparer.Ordinal).ToList();
                registry.Writers.Clear();
                registry.Writers.Add(sorted);
            }

            entry.DigestCount++;
            entry.Latest = signed;
            if (await TryWriteRegistryAsync(org, registry, etag, cancellationToken).ConfigureAwait(false))
            {
                _dirty[org] = true;
                return signed;
            }
        }

        throw new AuditException($"The writer registry of org '{org}' kept changing; giving up after {MaxCasAttempts} attempts.");
    }

    /// <summary>
    /// Signs and stores the org's next checkpoint when a writer's head moved since the last one
    /// (or always with <paramref name="force"/>). Returns it, or null when nothing changed.
    /// </summary>
    public async Task<SignedAuditCheckpoint?> CheckpointAsync(string org, bool force = false, CancellationToken cancellationToken = default)
    {
        AuditOrg.Validate(org);
        var gate = _orgLocks.GetOrAdd(org, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < MaxCasAttempts; attempt++)
            {
                _dirty.TryRemove(org, out _);
                var (registry, _) = await ReadRegistryAsync(org, cancellationToken).ConfigureAwait(false);
                var heads = registry.Writers.Where(w => w.Latest is not null).Select(w => new AuditWriterHead
                {
                    Writer = w.Writer,
                    DigestHash = ByteString.CopyFrom(AuditHashes.Of(w.Latest.Body.Span)),
                    RecordCount = AuditChain.ParseDigest(w.Latest)?.RecordCount ?? 0,
                }).ToList();

                var (previous, previousBytes, previousSequence) = await LastCheckpointAsync(org, cancellationToken).ConfigureAwait(false);
                if (previous is not null && !force && previous.Writers.SequenceEqual(heads))
                {
                    return null;
                }

                if (heads.Count == 0 && !force)
                {
                    return null;
                }

                var body = new AuditCheckpointBody
                {
                    Org = org,
                    Region = _region,
                    Sequence = (ulong)(previousSequence + 1),
                    PreviousCheckpointHash = previous is null ? ByteString.Empty : ByteString.CopyFrom(AuditHashes.Of(previousBytes.Span)),
                    SignedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
                };
                body.Writers.Add(heads);
                var bytes = body.ToByteArray();
                var signed = new SignedAuditCheckpoint
                {
                    Body = ByteString.CopyFrom(bytes),
                    Signature = ByteString.CopyFrom(await _signer.SignAsync(bytes, cancellationToken).ConfigureAwait(false)),
                    SigningKeyId = _signer.KeyId,
                };
                try
                {
                    await _store.PutAsync(AuditPaths.Checkpoint(org, previousSequence + 1), signed.ToByteArray(), PutCondition.IfAbsent,
                        cancellationToken).ConfigureAwait(false);
                    return signed;
                }
                catch (ObjectStorePreconditionFailedException)
                {
                    // Another instance signed this checkpoint number: build on top of it.
                }
            }

            throw new AuditException($"The checkpoints of org '{org}' kept changing; giving up after {MaxCasAttempts} attempts.");
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Checkpoints every org whose registry changed, every <paramref name="interval"/>, until cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var org in PendingOrgs)
            {
                try
                {
                    await CheckpointAsync(org, force: false, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ObjectStoreException or AuditException)
                {
                    _dirty[org] = true;
                }
            }
        }
    }

    /// <summary>The org's writer registry as stored (empty when none).</summary>
    public async Task<AuditWriterRegistry> GetRegistryAsync(string org, CancellationToken cancellationToken) =>
        (await ReadRegistryAsync(AuditOrg.Validate(org), cancellationToken).ConfigureAwait(false)).Registry;

    private async Task<(AuditWriterRegistry Registry, string? ETag)> ReadRegistryAsync(string org, CancellationToken cancellationToken)
    {
        var stored = await _store.GetAsync(AuditPaths.Registry(org), null, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return (new AuditWriterRegistry { FormatVersion = AuditFormat.CurrentVersion, Org = org }, null);
        }

        AuditWriterRegistry registry;
        try
        {
            registry = AuditWriterRegistry.Parser.ParseFrom(stored.Data.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new AuditException($"The writer registry of org '{org}' is not readable.", e);
        }

        if (!AuditFormat.IsReadable(registry.FormatVersion) || !string.Equals(registry.Org, org, StringComparison.Ordinal))
        {
            throw new AuditException($"The writer registry of org '{org}' has an unknown format or names another org.");
        }

        return (registry, stored.Metadata.ETag);
    }

    private async Task<bool> TryWriteRegistryAsync(string org, AuditWriterRegistry registry, string? etag, CancellationToken cancellationToken)
    {
        registry.FormatVersion = AuditFormat.CurrentVersion;
        var condition = etag is null ? PutCondition.IfAbsent : PutCondition.IfMatch(etag);
        try
        {
            await _store.PutAsync(AuditPaths.Registry(org), registry.ToByteArray(), condition, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ObjectStorePreconditionFailedException)
        {
            return false;
        }
    }

    private async Task<(AuditCheckpointBody? Body, ByteString BodyBytes, long Sequence)> LastCheckpointAsync(string org, CancellationToken cancellationToken)
    {
        string? last = null;
        await foreach (var item in _store.ListAsync(AuditPaths.CheckpointPrefix(org), null, cancellationToken).ConfigureAwait(false))
        {
            last = item.Key;
        }

        if (last is null)
        {
            return (null, ByteString.Empty, 0);
        }

        var sequence = AuditPaths.TrySequence(last) ?? throw new AuditException($"Unexpected object '{last}' among checkpoints.");
        var stored = await _store.GetAsync(last, null, cancellationToken).ConfigureAwait(false)
            ?? throw new AuditException($"Checkpoint '{last}' vanished while being read.");
        try
        {
            var signed = SignedAuditCheckpoint.Parser.ParseFrom(stored.Data.Span);
            return (AuditCheckpointBody.Parser.ParseFrom(signed.Body), signed.Body, sequence);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new AuditException($"Checkpoint '{last}' is not readable.", e);
        }
    }
}
