using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Hosting.Principals;
using Moat.Internal.V1;
using Moat.Keys.Client;
using Moat.Storage;
using Moat.Storage.Namespaces;
using Moat.Storage.ObjectStore;
using Moat.V1;
using Moat.Wal;
using Moat.Write.Audit;
using Moat.Write.Idempotency;
using Moat.Write.Writes;

namespace Moat.Write.Namespaces;

/// <summary>
/// Deletes a namespace (docs/write.md): its KEK destroyed first (KeyVault, with the caller's
/// admin principal), so whatever a crash leaves behind is already unreadable; then every object
/// under <c>v1/ns/{nsid}/</c> removed; then its name released in the directory (a later namespace
/// of that name gets a new id); then the deletion record appended durably to the write service's
/// audit chain — its id is the answer's <c>deletion_record_id</c>. Every step is idempotent, so
/// repeating the call finishes an interrupted deletion.
/// </summary>
internal sealed class NamespaceDeleter
{
    private const int MaxPasses = 10;
    private static readonly TimeSpan SettleDelay = TimeSpan.FromMilliseconds(100);
    private readonly KeyVault.KeyVaultClient _vault;
    private readonly Moat.Internal.V1.Directory.DirectoryClient _directory;
    private readonly IObjectStore _store;
    private readonly NamespaceKeyCache _keyCache;
    private readonly NamespaceMetaStore _meta;
    private readonly IdempotencyIndex _idempotency;
    private readonly WriteAudit _audit;
    private readonly TimeProvider _time;

    public NamespaceDeleter(KeyVault.KeyVaultClient vault, Moat.Internal.V1.Directory.DirectoryClient directory, IObjectStore store, NamespaceKeyCache keyCache,
        NamespaceMetaStore meta, IdempotencyIndex idempotency, WriteAudit audit, TimeProvider time)
    {
        _vault = vault;
        _directory = directory;
        _store = store;
        _keyCache = keyCache;
        _meta = meta;
        _idempotency = idempotency;
        _audit = audit;
        _time = time;
    }

    public async Task<DeleteNamespaceResponse> DeleteAsync(PrincipalToken principal, byte[] signedPrincipal, string name, VersionCondition? condition, CancellationToken cancellationToken)
    {
        var namespaceId = principal.NamespaceId;
        if (namespaceId.Length == 0)
        {
            throw WriteErrors.NamespaceNotFound(name);
        }

        var started = _time.GetTimestamp();
        try
        {
            if (condition is not null)
            {
                var current = await LastSequenceAsync(namespaceId, cancellationToken);
                if (current != (long)condition.ExpectedVersion)
                {
                    throw WriteErrors.FromWal(new WalConditionFailedException(namespaceId, (long)condition.ExpectedVersion, current));
                }
            }

            var (keyDestroyed, backupsExpire) = await DestroyKeyAsync(principal, signedPrincipal, namespaceId, name, cancellationToken);

            // Nothing of it may be served from memory any more.
            _keyCache.Drop(namespaceId, ErrorReason.KeyDestroyed);
            _meta.Invalidate(namespaceId);
            _idempotency.Forget(namespaceId);

            var removed = await DeleteObjectsAsync(namespaceId, cancellationToken);
            try
            {
                await _directory.ReleaseAsync(new ReleaseRequest { Org = principal.Org, NamespaceName = name, NamespaceId = namespaceId }, cancellationToken: cancellationToken);
            }
            catch (RpcException)
            {
                throw new MoatException(StatusCode.Unavailable, ErrorReason.DirectoryUnavailable, "the namespace's data and key are gone but its name could not be released yet; repeat the deletion to finish it");
            }

            var recordId = await _audit.NamespaceDeletedAsync(principal, name, namespaceId, removed, keyDestroyed, cancellationToken);
            return new DeleteNamespaceResponse
            {
                ObjectsRemoved = (ulong)removed,
                KeyDestroyed = keyDestroyed,
                DeletionRecordId = recordId,
                FinalAfter = Timestamp.FromDateTimeOffset(backupsExpire ?? _time.GetUtcNow()),
                Timing = new ServerTiming { Total = Duration.FromTimeSpan(_time.GetElapsedTime(started)) },
            };
        }
        catch (Exception e) when (e is not MoatException and not OperationCanceledException)
        {
            throw WriteErrors.FromStore(e);
        }
    }

    private async Task<(bool Destroyed, DateTimeOffset? BackupsExpire)> DestroyKeyAsync(PrincipalToken principal, byte[] signedPrincipal, string namespaceId, string name, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await _vault.DestroyNamespaceKekAsync(
                new DestroyNamespaceKekRequest { Org = principal.Org, NamespaceId = namespaceId, NamespaceName = name },
                new Metadata { { PrincipalMetadata.Header, signedPrincipal } },
                cancellationToken: cancellationToken);
            return (true, reply.BackupsExpireAt?.ToDateTimeOffset());
        }
        catch (RpcException e) when (RpcErrors.ReasonOf(e) == "KEY_NOT_FOUND")
        {
            return (false, null); // reserved but never initialized: there was no key
        }
        catch (RpcException e)
        {
            throw KeyVaultErrors.Translate(e);
        }
    }

    /// <summary>Lists and deletes until a pass finds nothing, twice (a write racing the deletion may land late).</summary>
    private async Task<long> DeleteObjectsAsync(string namespaceId, CancellationToken cancellationToken)
    {
        var prefix = StoragePaths.NamespaceRoot(namespaceId);
        long removed = 0;
        var emptyPasses = 0;
        for (var pass = 0; pass < MaxPasses && emptyPasses < 2; pass++)
        {
            var keys = new List<string>();
            await foreach (var item in _store.ListAsync(prefix, null, cancellationToken))
            {
                keys.Add(item.Key);
            }

            if (keys.Count == 0)
            {
                emptyPasses++;
                await Task.Delay(SettleDelay, _time, cancellationToken);
                continue;
            }

            emptyPasses = 0;
            foreach (var key in keys)
            {
                await _store.DeleteAsync(key, null, cancellationToken);
                removed++;
            }
        }

        return removed;
    }

    private async Task<long> LastSequenceAsync(string namespaceId, CancellationToken cancellationToken)
    {
        var prefix = WalPaths.Prefix(namespaceId);
        long last = 0;
        await foreach (var item in _store.ListAsync(prefix, null, cancellationToken))
        {
            if (WalPaths.TryParseSequence(item.Key, prefix, out var sequence))
            {
                last = Math.Max(last, sequence);
            }
        }

        return last;
    }
}
