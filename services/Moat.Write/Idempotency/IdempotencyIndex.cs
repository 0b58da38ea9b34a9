using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Moat.Hosting.Errors;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.V1;
using Moat.Wal;
using Moat.Write.Writes;

namespace Moat.Write.Idempotency;

/// <summary>What to do with a write that carries an idempotency key.</summary>
internal abstract record IdempotencyDecision
{
    /// <summary>The key was applied before (in the WAL): answer with its first result, apply nothing.</summary>
    public sealed record Replay(WriteResponse FirstResponse) : IdempotencyDecision;

    /// <summary>The same request is in flight in this process: wait for its result.</summary>
    public sealed record Join(Task<WriteResponse> First) : IdempotencyDecision;

    /// <summary>New: apply it, then complete the ticket with its result (or fail it).</summary>
    public sealed record Proceed(IdempotencyTicket Ticket) : IdempotencyDecision;
}

/// <summary>
/// Idempotency keys of the namespaces this process writes (docs/write.md): the keys of WAL entries
/// committed within the window (<see cref="WriteLimitsOptions.IdempotencyWindow"/>, 24 h: the
/// indexer keeps WAL entries that long), found by reading the WAL entries this process did not
/// write itself (other instances', and its own before a restart), plus the writes in flight here,
/// so a duplicate that arrives while the first is being committed waits for its result. Two
/// processes that receive the same retry at the same moment may both commit it; the WAL fold
/// applies a key once, so it still takes effect once.
/// </summary>
internal sealed class IdempotencyIndex
{
    private readonly IObjectStore _store;
    private readonly WriteLimitsOptions _limits;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, NamespaceKeys> _namespaces = new(StringComparer.Ordinal);

    public IdempotencyIndex(IObjectStore store, IOptions<WriteLimitsOptions> limits, TimeProvider time)
    {
        _store = store;
        _limits = limits.Value;
        _time = time;
    }

    /// <summary>Decides for (namespace, key, request hash); throws IDEMPOTENCY_CONFLICT for the same key with another request.</summary>
    /// <param name="keys">Unsealing keys of the caller (to read WAL entries other writers committed).</param>
    public async Task<IdempotencyDecision> BeginAsync(string namespaceId, string key, byte[] requestHash, IDataKeySource keys, CancellationToken cancellationToken)
    {
        var ns = _namespaces.GetOrAdd(namespaceId, id => new NamespaceKeys(id, this));
        if (ns.Decide(key, requestHash, register: false) is { } early)
        {
            return early;
        }

        await ns.CatchUpAsync(keys, cancellationToken).ConfigureAwait(false);
        return ns.Decide(key, requestHash, register: true)!;
    }

    /// <summary>Forgets a namespace (deleted): its keys must not answer for a namespace reusing nothing of it.</summary>
    public void Forget(string namespaceId) => _namespaces.TryRemove(namespaceId, out _);

    private static MoatException Conflict(string key) =>
        new(StatusCode.FailedPrecondition, ErrorReason.IdempotencyConflict,
            "the idempotency key was used with a different request; use a new key for a new request",
            new Dictionary<string, string> { ["idempotency_key"] = key });

    private sealed record Committed(byte[] Hash, WriteResponse Response, DateTimeOffset CommittedAt);

    private sealed record InFlight(byte[] Hash, TaskCompletionSource<WriteResponse> Result);

    private sealed class NamespaceKeys(string namespaceId, IdempotencyIndex owner) : IIdempotencyTicketOwner
    {
        private readonly Lock _gate = new();
        private readonly SemaphoreSlim _scan = new(1, 1);
        private readonly Dictionary<string, Committed> _committed = new(StringComparer.Ordinal);
        private readonly Queue<(string Key, DateTimeOffset At)> _order = new();
        private readonly Dictionary<string, InFlight> _inFlight = new(StringComparer.Ordinal);
        private readonly HashSet<long> _own = [];
        private long _scannedThrough;

        public IdempotencyDecision? Decide(string key, byte[] hash, bool register)
        {
            lock (_gate)
            {
                if (_inFlight.TryGetValue(key, out var running))
                {
                    return running.Hash.AsSpan().SequenceEqual(hash) ? new IdempotencyDecision.Join(running.Result.Task) : throw Conflict(key);
                }

                Expire();
                if (_committed.TryGetValue(key, out var done))
                {
                    return done.Hash.AsSpan().SequenceEqual(hash) ? new IdempotencyDecision.Replay(done.Response.Clone()) : throw Conflict(key);
                }

                if (!register)
                {
                    return null;
                }

                var inFlight = new InFlight(hash, new TaskCompletionSource<WriteResponse>(TaskCreationOptions.RunContinuationsAsynchronously));
                _inFlight[key] = inFlight;
                return new IdempotencyDecision.Proceed(new IdempotencyTicket(this, key, inFlight.Result));
            }
        }

        /// <summary>Reads the WAL entries after the last one looked at (skipping this process's own) for their keys.</summary>
        public async Task CatchUpAsync(IDataKeySource keys, CancellationToken cancellationToken)
        {
            await _scan.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var reader = new WalReader(owner._store, new ReadOnlyWalKeys(keys));
                var prefix = WalPaths.Prefix(namespaceId);
                var cutoff = owner._time.GetUtcNow() - owner._limits.IdempotencyWindow;
                long after;
                lock (_gate)
                {
                    after = _scannedThrough;
                }

                var startAfter = after > 0 ? StoragePaths.WalEntry(namespaceId, after) : null;
                await foreach (var item in owner._store.ListAsync(prefix, startAfter, cancellationToken).ConfigureAwait(false))
                {
                    if (!WalPaths.TryParseSequence(item.Key, prefix, out var sequence))
                    {
                        continue;
                    }

                    bool own;
                    lock (_gate)
                    {
                        own = _own.Remove(sequence);
                    }

                    // Entries older than the window (by the store's clock, then by the entry's) hold no key that still counts.
                    if (!own && item.LastModified >= cutoff - TimeSpan.FromMinutes(5))
                    {
                        var entry = await reader.ReadEntryAsync(namespaceId, sequence, cancellationToken).ConfigureAwait(false);
                        var committedAt = entry?.CommittedAt?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
                        if (entry is not null && committedAt >= cutoff)
                        {
                            lock (_gate)
                            {
                                foreach (var write in entry.Writes.Where(w => w.IdempotencyKey.Length > 0))
                                {
                                    var response = write.Response?.Clone() ?? new WriteResponse();
                                    response.WalSequence = (ulong)sequence;
                                    Remember(write.IdempotencyKey, write.RequestHash.ToByteArray(), response, committedAt);
                                }
                            }
                        }
                    }

                    lock (_gate)
                    {
                        _scannedThrough = Math.Max(_scannedThrough, sequence);
                    }
                }
            }
            finally
            {
                _scan.Release();
            }
        }

        public void Complete(string key, TaskCompletionSource<WriteResponse> result, WriteResponse response, byte[] hash, DateTimeOffset committedAt)
        {
            lock (_gate)
            {
                if (_inFlight.TryGetValue(key, out var running) && running.Result == result)
                {
                    _inFlight.Remove(key);
                }

                var sequence = (long)response.WalSequence;
                if (sequence > _scannedThrough)
                {
                    _own.Add(sequence); // a catch-up need not read our own entry back
                }

                Remember(key, hash, response.Clone(), committedAt);
            }

            result.TrySetResult(response);
        }

        public void Fail(string key, TaskCompletionSource<WriteResponse> result, Exception failure)
        {
            lock (_gate)
            {
                if (_inFlight.TryGetValue(key, out var running) && running.Result == result)
                {
                    _inFlight.Remove(key);
                }
            }

            result.TrySetException(failure);
        }

        private void Remember(string key, byte[] hash, WriteResponse response, DateTimeOffset committedAt)
        {
            if (_committed.ContainsKey(key))
            {
                return; // the first commit of a key is its result
            }

            _committed[key] = new Committed(hash, response, committedAt);
            _order.Enqueue((key, committedAt));
            while (_committed.Count > owner._limits.MaxIdempotencyKeysPerNamespace && _order.TryDequeue(out var oldest))
            {
                _committed.Remove(oldest.Key);
            }
        }

        private void Expire()
        {
            var cutoff = owner._time.GetUtcNow() - owner._limits.IdempotencyWindow;
            while (_order.TryPeek(out var oldest) && oldest.At < cutoff)
            {
                _order.Dequeue();
                if (_committed.TryGetValue(oldest.Key, out var c) && c.CommittedAt == oldest.At)
                {
                    _committed.Remove(oldest.Key);
                }
            }
        }
    }
}
