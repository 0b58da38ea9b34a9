using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moat.Internal.V1;
using Moat.Storage.ObjectStore;

namespace Moat.Wal;

/// <summary>
/// The write path's WAL with group commit (DESIGN section 4, docs/wal.md). Writes submitted to a
/// namespace within <see cref="GroupCommitOptions.Window"/> (or while the namespace's previous
/// commit is in flight) become one sealed WAL entry, created if absent at
/// <c>v1/ns/{nsid}/wal/{seq:D20}</c>; each submission completes with the entry's sequence only after
/// the object store holds it durably. Several instances (processes) may write one namespace: a
/// batch that loses a sequence to another writer is written again at the next free one.
/// </summary>
/// <remarks>
/// Memory is bounded: a submission past <see cref="GroupCommitOptions.MaxQueuedWritesPerNamespace"/>
/// or <see cref="GroupCommitOptions.MaxQueuedWritesTotal"/> fails at once with
/// <see cref="WalQueueFullException"/>. A failed commit completes its writes with
/// <see cref="WalCommitException"/>, never with a false acknowledgement.
/// </remarks>
public sealed class GroupCommitQueue : IAsyncDisposable
{
    private readonly IObjectStore _store;
    private readonly IWalKeySource _keys;
    private readonly GroupCommitOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ICommitListener[] _listeners;
    private readonly ConcurrentDictionary<string, NamespaceWal> _namespaces = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private int _total;
    private bool _disposed;

    public GroupCommitQueue(IObjectStore store, IWalKeySource keys, GroupCommitOptions options, TimeProvider? timeProvider = null,
        ILogger<GroupCommitQueue>? logger = null, IEnumerable<ICommitListener>? listeners = null)
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
        _listeners = listeners?.ToArray() ?? [];
    }

    /// <summary>Writes waiting or being committed, all namespaces together.</summary>
    public int QueuedWrites => Volatile.Read(ref _total);

    /// <summary>
    /// Submits one write (its operations in application order, and the client's idempotency key or
    /// null) and completes once it is durable in the namespace's WAL.
    /// </summary>
    /// <exception cref="WalQueueFullException">Thrown at once (not through the task) when the queue is full.</exception>
    /// <remarks>The task fails with <see cref="WalCommitException"/> when the commit fails. Cancelling
    /// <paramref name="cancellationToken"/> stops the wait, not the write: a queued write may still commit.</remarks>
    public Task<WalAck> SubmitAsync(string namespaceId, IEnumerable<WalOperation> operations, string? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var write = new WalWrite { IdempotencyKey = idempotencyKey ?? string.Empty };
        write.Operations.AddRange(operations);
        return SubmitAsync(namespaceId, write, cancellationToken);
    }

    /// <inheritdoc cref="SubmitAsync(string, IEnumerable{WalOperation}, string?, CancellationToken)"/>
    public Task<WalAck> SubmitAsync(string namespaceId, WalWrite write, CancellationToken cancellationToken) =>
        SubmitAsync(namespaceId, write, null, cancellationToken);

    /// <summary>
    /// Submits one write; with <paramref name="expectedVersion"/> it is conditional: committed alone,
    /// in an entry at exactly <paramref name="expectedVersion"/> + 1 (create-if-absent decides any
    /// race with another writer), or not at all — the task then fails with
    /// <see cref="WalConditionFailedException"/>. Version 0 = the WAL must be empty.
    /// </summary>
    /// <exception cref="WalQueueFullException">Thrown at once (not through the task) when the queue is full.</exception>
    public Task<WalAck> SubmitAsync(string namespaceId, WalWrite write, long? expectedVersion, CancellationToken cancellationToken)
    {
        if (expectedVersion is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "A namespace version is not negative.");
        }

        ArgumentException.ThrowIfNullOrEmpty(namespaceId);
        ArgumentNullException.ThrowIfNull(write);
        if (namespaceId.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("A namespace id is one path segment; it must not contain '/'.", nameof(namespaceId));
        }

        ObjectKey.ValidatePrefix(WalPaths.Prefix(namespaceId), nameof(namespaceId));
        var pending = new PendingWrite(write, expectedVersion); // encoded here, on the submitter's thread
        try
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_total >= _options.MaxQueuedWritesTotal)
                {
                    throw new WalQueueFullException(namespaceId, _options.MaxQueuedWritesTotal, "this write service");
                }

                var wal = _namespaces.GetOrAdd(namespaceId, id => new NamespaceWal(id, _store, _keys, _options, _time, _logger, Release, TryRetire, _listeners, _stopping.Token));
                wal.Enqueue(pending); // may throw WalQueueFullException for the namespace
                _total++;
            }
        }
        catch
        {
            pending.ReleaseEncoded();
            throw;
        }

        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Takes no more writes, commits what is queued, and waits for the commit loops to end.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        foreach (var wal in _namespaces.Values)
        {
            wal.Complete();
        }

        var loops = Task.WhenAll(_namespaces.Values.Select(wal => wal.Loop));
        try
        {
            await loops.WaitAsync(_options.StoreCallTimeout * 2).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await loops.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <summary>Namespaces with a live queue and commit loop.</summary>
    internal int ActiveNamespaces => _namespaces.Count;

    private bool TryRetire(NamespaceWal wal)
    {
        lock (_gate)
        {
            // Submissions enqueue under this lock: with nothing pending now, none can slip in before removal.
            if (wal.Pending != 0)
            {
                return false;
            }

            _namespaces.TryRemove(new KeyValuePair<string, NamespaceWal>(wal.NamespaceId, wal));
            wal.Complete();
            return true;
        }
    }

    private void Release(int count)
    {
        lock (_gate)
        {
            _total -= count;
        }
    }
}
