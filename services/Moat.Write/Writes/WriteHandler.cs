using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.Keys.Client;
using Moat.Storage.Namespaces;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.V1;
using Moat.Wal;
using Moat.Write.Idempotency;
using Moat.Write.Keys;
using Moat.Write.Namespaces;

namespace Moat.Write.Writes;

/// <summary>
/// <c>WriteService.Write</c> behind the thin API class (docs/write.md): the caller's key (KeyVault,
/// with the caller's principal, through the cache), the namespace's meta, validation, schema
/// additions (compare-and-swap on meta), idempotency, then the group-commit WAL; acknowledged only
/// when the WAL entry is durable. A caller that goes away does not stop a queued write: its result
/// still completes the idempotency ticket, so a retry with the same key finds it.
/// </summary>
internal sealed class WriteHandler
{
    private const int MaxSchemaRaces = 8;
    private const int MaxJoinRounds = 3;
    private readonly GroupCommitQueue _queue;
    private readonly WalSealingKeys _walKeys;
    private readonly KeyVaultKeySource _keys;
    private readonly NamespaceMetaStore _meta;
    private readonly WriteValidator _validator;
    private readonly IdempotencyIndex _idempotency;
    private readonly NamespaceInitializer _initializer;
    private readonly TimeProvider _time;

    public WriteHandler(GroupCommitQueue queue, WalSealingKeys walKeys, KeyVaultKeySource keys, NamespaceMetaStore meta, WriteValidator validator, IdempotencyIndex idempotency,
        NamespaceInitializer initializer, TimeProvider time)
    {
        _initializer = initializer;
        _queue = queue;
        _walKeys = walKeys;
        _keys = keys;
        _meta = meta;
        _validator = validator;
        _idempotency = idempotency;
        _time = time;
    }

    public async Task<WriteResponse> WriteAsync(PrincipalToken principal, byte[] signedPrincipal, WriteRequest request, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        if (principal.Kind != PrincipalKind.ApiKey)
        {
            // Operators are served only with keys obtained for the call under a live grant (DESIGN
            // section 10), never from the key cache; that comes with operator access.
            throw new MoatException(StatusCode.PermissionDenied, ErrorReason.GrantRequired, "writes for operator or job principals come with operator access and the job framework");
        }

        RefuseUnbuilt(request);
        var namespaceId = principal.NamespaceId;
        if (namespaceId.Length == 0)
        {
            throw WriteErrors.NamespaceNotFound(request.Namespace);
        }

        // The caller's key first: KeyVault (or the cache it filled) decides, and refuses for a disabled or destroyed key.
        var access = KeyAccess.ForCaller(principal.Org, namespaceId, signedPrincipal);
        var created = principal.NamespaceCreated;
        var lease = await CallerKeyAsync(access, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            // Reserved but never initialized (a crash between the creation steps): a write with
            // create_config repairs it; one without finds no namespace.
            created |= await RepairAsync(principal, signedPrincipal, request, cancellationToken).ConfigureAwait(false);
            lease = await CallerKeyAsync(access, cancellationToken).ConfigureAwait(false) ?? throw WriteErrors.NamespaceNotFound(request.Namespace);
        }

        var hold = _walKeys.Hold(namespaceId, lease);
        var handedOff = false;
        try
        {
            using var dataKeys = _keys.DataKeys(access);
            var meta = await ReadMetaAsync(namespaceId, dataKeys, cancellationToken).ConfigureAwait(false);
            if (meta is null)
            {
                created |= await RepairAsync(principal, signedPrincipal, request, cancellationToken).ConfigureAwait(false);
                meta = await ReadMetaAsync(namespaceId, dataKeys, cancellationToken, fresh: true).ConfigureAwait(false);
            }

            if (meta is null || meta.Meta.Org != principal.Org)
            {
                throw WriteErrors.NamespaceNotFound(request.Namespace);
            }

            var keysDone = _time.GetTimestamp();
            var validated = _validator.Validate(request, meta.Meta.Config, emptyAllowed: created);
            if (validated.AddsSchema)
            {
                (meta, validated) = await ExtendSchemaAsync(meta, validated, request, created, lease, dataKeys, cancellationToken).ConfigureAwait(false);
            }

            var computeDone = _time.GetTimestamp();
            var response = validated.Response.Clone();
            response.NamespaceCreated = created;
            if (validated.Operations.Count == 0)
            {
                response.Timing = Timing(started, keysDone, computeDone, computeDone);
                return response; // a first write that only created the namespace: nothing to commit
            }

            var write = new WalWrite { IdempotencyKey = request.IdempotencyKey, Response = response.Clone() };
            write.Operations.AddRange(validated.Operations);
            IdempotencyTicket? ticket = null;
            byte[]? hash = null;
            if (request.IdempotencyKey.Length > 0)
            {
                hash = RequestHash.Of(request);
                write.RequestHash = Google.Protobuf.ByteString.CopyFrom(hash);
                for (var round = 1; ticket is null; round++)
                {
                    IdempotencyDecision decision;
                    try
                    {
                        decision = await _idempotency.BeginAsync(namespaceId, request.IdempotencyKey, hash, dataKeys, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not MoatException and not OperationCanceledException)
                    {
                        throw WriteErrors.FromStore(e);
                    }

                    switch (decision)
                    {
                        case IdempotencyDecision.Replay replay:
                            return Replayed(replay.FirstResponse, started, keysDone, computeDone);
                        case IdempotencyDecision.Join join:
                            try
                            {
                                return Replayed(await join.First.WaitAsync(cancellationToken).ConfigureAwait(false), started, keysDone, computeDone);
                            }
                            catch (Exception) when (!cancellationToken.IsCancellationRequested && round < MaxJoinRounds)
                            {
                                // The first attempt failed (or may have): look again, in the WAL too.
                            }

                            break;
                        case IdempotencyDecision.Proceed proceed:
                            ticket = proceed.Ticket;
                            break;
                    }
                }
            }

            long? expected = request.VersionCondition is { } condition ? (long)condition.ExpectedVersion : null;
            var submitted = _time.GetUtcNow();
            var commit = CommitAsync(namespaceId, write, expected, ticket, hash, hold);
            handedOff = true;
            var ack = await commit.WaitAsync(cancellationToken).ConfigureAwait(false);
            response.WalSequence = (ulong)ack.Sequence;
            response.Timing = Timing(started, keysDone, computeDone, computeDone);
            response.Timing.Total = Duration.FromTimeSpan(_time.GetElapsedTime(started));
            response.Timing.Queue = Duration.FromTimeSpan(Positive(ack.CommittedAt - submitted));
            response.Timing.Storage = Duration.FromTimeSpan(Positive(_time.GetUtcNow() - ack.CommittedAt));
            return response;
        }
        finally
        {
            if (!handedOff)
            {
                hold.Dispose();
            }
        }
    }

    /// <summary>Commits the write and records its outcome for idempotency; runs to the end even if its caller left.</summary>
    private async Task<WalAck> CommitAsync(string namespaceId, WalWrite write, long? expectedVersion, IdempotencyTicket? ticket, byte[]? hash, IDisposable hold)
    {
        try
        {
            WalAck ack;
            try
            {
                ack = await _queue.SubmitAsync(namespaceId, write, expectedVersion, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                var failure = WriteErrors.FromWal(e);
                ticket?.Fail(failure);
                throw failure;
            }

            if (ticket is not null)
            {
                var stored = write.Response.Clone();
                stored.WalSequence = (ulong)ack.Sequence;
                ticket.Complete(stored, hash!, ack.CommittedAt);
            }

            return ack;
        }
        finally
        {
            hold.Dispose(); // the lease was needed until the commit loop sealed the entry
        }
    }

    /// <summary>The namespace's current key for this caller, or null when KeyVault knows no key for it (not initialized).</summary>
    private async Task<SealingKey?> CallerKeyAsync(KeyAccess access, CancellationToken cancellationToken)
    {
        try
        {
            return await _keys.GetCurrentAsync(access, cancellationToken).ConfigureAwait(false);
        }
        catch (MoatException e) when (e.Reason == ErrorReason.KeyNotFound)
        {
            return null;
        }
    }

    /// <summary>Runs the idempotent initialization for a write that carries create_config; true when this call created meta.</summary>
    private async Task<bool> RepairAsync(PrincipalToken principal, byte[] signedPrincipal, WriteRequest request, CancellationToken cancellationToken)
    {
        if (request.CreateConfig is null)
        {
            throw WriteErrors.NamespaceNotFound(request.Namespace);
        }

        var init = await _initializer.InitAsync(principal, signedPrincipal,
            new InitNamespaceRequest { Org = principal.Org, NamespaceId = principal.NamespaceId, NamespaceName = request.Namespace, Config = request.CreateConfig },
            "create_config", cancellationToken).ConfigureAwait(false);
        return init.Created;
    }

    private async Task<NamespaceMetaRecord?> ReadMetaAsync(string namespaceId, IDataKeySource keys, CancellationToken cancellationToken, bool fresh = false)
    {
        try
        {
            return await _meta.GetAsync(namespaceId, keys, cancellationToken, fresh).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not MoatException and not OperationCanceledException)
        {
            throw WriteErrors.FromStore(e);
        }
    }

    /// <summary>
    /// Adds what the write introduces (the id kind of a namespace that had none, undeclared
    /// attributes with their values' types) to meta, compare-and-swap; on a lost race the write is
    /// validated again against the newer schema (another write may have typed an attribute first).
    /// </summary>
    private async Task<(NamespaceMetaRecord, ValidatedWrite)> ExtendSchemaAsync(NamespaceMetaRecord current, ValidatedWrite validated, WriteRequest request,
        bool emptyAllowed, SealingKey key, IDataKeySource keys, CancellationToken cancellationToken)
    {
        var namespaceId = current.Meta.NamespaceId;
        for (var attempt = 1; attempt <= MaxSchemaRaces; attempt++)
        {
            var updated = current.Meta.Clone();
            updated.SchemaVersion++;
            if (validated.InferredIdKind != IdKind.Unspecified && updated.Config.IdKind == IdKind.Unspecified)
            {
                updated.Config.IdKind = validated.InferredIdKind;
            }

            foreach (var (name, type) in validated.NewAttributes.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                if (updated.Config.Attributes.TryGetValue(name, out var declared) && declared.Type == AttributeType.Unspecified)
                {
                    declared.Type = type;
                }
                else if (!updated.Config.Attributes.ContainsKey(name))
                {
                    updated.Config.Attributes[name] = new AttributeSchema { Type = type };
                }
            }

            try
            {
                return (await _meta.ReplaceAsync(current, updated, key, cancellationToken).ConfigureAwait(false), validated);
            }
            catch (ObjectStoreException e) when (e is ObjectStorePreconditionFailedException or ObjectStoreOutcomeUnknownException)
            {
                // Another write changed the schema first (or our change may have landed): read it and validate again.
                current = await ReadMetaAsync(namespaceId, keys, cancellationToken, fresh: true).ConfigureAwait(false)
                    ?? throw WriteErrors.NamespaceNotFound(request.Namespace);
                validated = _validator.Validate(request, current.Meta.Config, emptyAllowed);
                if (!validated.AddsSchema)
                {
                    return (current, validated);
                }
            }
            catch (Exception e) when (e is not MoatException and not OperationCanceledException)
            {
                throw WriteErrors.FromStore(e);
            }
        }

        throw new MoatException(StatusCode.Unavailable, ErrorReason.UpstreamUnavailable, "the namespace's schema kept changing while this write extended it; retry",
            new Dictionary<string, string> { ["dependency"] = "object-store" });
    }

    private WriteResponse Replayed(WriteResponse first, long started, long keysDone, long computeDone)
    {
        var response = first.Clone();
        response.IdempotentReplay = true;
        response.Timing = Timing(started, keysDone, computeDone, _time.GetTimestamp());
        return response;
    }

    private ServerTiming Timing(long started, long keysDone, long computeDone, long committed) => new()
    {
        Total = Duration.FromTimeSpan(_time.GetElapsedTime(started)),
        Keys = Duration.FromTimeSpan(_time.GetElapsedTime(started, keysDone)),
        Compute = Duration.FromTimeSpan(_time.GetElapsedTime(keysDone, computeDone)),
        Queue = Duration.FromTimeSpan(_time.GetElapsedTime(computeDone, committed)),
    };

    private static TimeSpan Positive(TimeSpan value) => value > TimeSpan.Zero ? value : TimeSpan.Zero;

    private static void RefuseUnbuilt(WriteRequest request)
    {
        var field = request.DeleteByFilter is not null ? "delete_by_filter"
            : request.PatchByFilter is not null ? "patch_by_filter"
            : request.UpsertCondition is not null ? "upsert_condition"
            : request.PatchCondition is not null ? "patch_condition"
            : request.DeleteCondition is not null ? "delete_condition"
            : null;
        if (field is not null)
        {
            throw WriteErrors.NotBuilt(field);
        }
    }
}
