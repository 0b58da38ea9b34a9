using System.Collections.Concurrent;
using Moat.Storage.ObjectStore;

namespace Moat.Audit;

/// <summary>
/// The audit writer of one service instance (DESIGN section 10): one chain per org at
/// <c>v1/audit/{org}/{writer}/</c>, records grouped into sealed batches, signed digests.
/// </summary>
/// <remarks>
/// <para><see cref="AppendDurableAsync"/> is for state-changing events: it returns only once the
/// batch holding the record is stored, so the caller acknowledges its operation after that.
/// Concurrent appends share batches (group commit).</para>
/// <para><see cref="Record"/> is for authentication decisions and read-path key uses: it never
/// blocks and never throws for a valid event; equal events are counted per minute and flushed
/// every <see cref="AuditWriterOptions.AggregateFlushInterval"/> as aggregate records.</para>
/// <para>A chain resumes after a restart from its last stored batch; if another process writes
/// the same chain (same writer id), the writer stops that chain with
/// <see cref="AuditChainConflictException"/> instead of forking it.</para>
/// </remarks>
public sealed class AuditWriter : IAsyncDisposable
{
    private readonly IObjectStore _store;
    private readonly IAuditKeyProvider _keys;
    private readonly IAuditDigestSigner _signer;
    private readonly AuditWriterOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, AuditChain> _chains = new(StringComparer.Ordinal);
    private readonly AuditAggregator _aggregator;
    private readonly SemaphoreSlim _flushAggregatesLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _background;
    private int _disposed;
    private long _aggregateFlushFailures;

    public AuditWriter(IObjectStore store, IAuditKeyProvider keys, IAuditDigestSigner signer, AuditWriterOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _store = store;
        _keys = keys;
        _signer = signer;
        _options = options;
        _time = time ?? TimeProvider.System;
        _aggregator = new AuditAggregator(options.MaxAggregateBuckets);
        _background = Task.Run(() => RunBackgroundAsync(_stop.Token));
    }

    public AuditWriterId WriterId => _options.WriterId;

    /// <summary>
    /// Appends a state-changing event and returns once the batch holding it is stored.
    /// </summary>
    /// <exception cref="AuditChainConflictException">Another process writes this writer's chain of the org.</exception>
    /// <exception cref="AuditChainCorruptException">The stored chain does not verify where this writer resumes it.</exception>
    /// <exception cref="AuditBatchInDoubtException">The store failed with an unknown outcome; the record is written again before the next batch. Do not acknowledge the operation.</exception>
    /// <exception cref="ObjectStoreException">The store failed before the batch was built or while an earlier batch in doubt was written again; nothing of this record is stored.</exception>
    public Task<AuditReceipt> AppendDurableAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var chain = Chain(auditEvent.Org);
        var task = chain.AppendAsync(new PendingRecord(auditEvent, _time.GetUtcNow(), 1, null, null));
        return cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task;
    }

    /// <summary>
    /// Counts an aggregatable event (authentication decision, read-path key use). Never blocks; the
    /// count is stored within <see cref="AuditWriterOptions.AggregateFlushInterval"/> (plus the store's time).
    /// </summary>
    public void Record(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        AuditOrg.Validate(auditEvent.Org);
        _aggregator.Add(auditEvent, _time.GetUtcNow());
    }

    /// <summary>
    /// Stores every aggregate counted so far and every queued append, then signs a digest for every
    /// chain with records no digest covers yet.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await FlushAggregatesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var chain in _chains.Values)
        {
            await chain.DrainAsync().ConfigureAwait(false);
            await chain.DigestIfDueAsync(force: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Counters for health and metrics.</summary>
    public AuditWriterStatistics GetStatistics() => new(
        _chains.Count,
        _chains.Values.Sum(c => c.Records),
        _chains.Values.Sum(c => c.Batches),
        _chains.Values.Sum(c => c.Digests),
        _chains.Values.Sum(c => c.DigestFailures),
        _aggregator.PendingCount,
        _aggregator.Overflowed,
        Interlocked.Read(ref _aggregateFlushFailures));

    /// <summary>Stops the background flush, then flushes everything (aggregates, queued appends, a digest).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _background.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        try
        {
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _stop.Dispose();
            _flushAggregatesLock.Dispose();
        }
    }

    private AuditChain Chain(AuditIdentifier org)
    {
        var id = AuditOrg.Validate(org);
        return _chains.GetOrAdd(id, o => new AuditChain(_store, _keys, _signer, _options, _time, o));
    }

    private async Task FlushAggregatesAsync(CancellationToken cancellationToken)
    {
        await _flushAggregatesLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var buckets = _aggregator.Drain();
            if (buckets.Count == 0)
            {
                return;
            }

            var now = _time.GetUtcNow();
            var appends = new List<(AggregateKey Key, long Count, Task Task)>(buckets.Count);
            foreach (var (key, count) in buckets)
            {
                var start = DateTimeOffset.FromUnixTimeMilliseconds(key.WindowStartUnixMs);
                var record = new PendingRecord(key.Event, now, count, start, start.AddMilliseconds(AuditAggregator.WindowMs));
                Task task;
                try
                {
                    task = Chain(key.Event.Org).AppendAsync(record);
                }
                catch (Exception e) when (e is AuditException or ArgumentException)
                {
                    task = Task.FromException(e);
                }

                appends.Add((key, count, task));
            }

            foreach (var (key, count, task) in appends)
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (AuditBatchInDoubtException)
                {
                    // The batch holding the count is written again before the next one: not lost, and not to be counted twice.
                    Interlocked.Increment(ref _aggregateFlushFailures);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Counted, not dropped: flushed with the next aggregate flush.
                    _aggregator.Restore(key, count);
                    Interlocked.Increment(ref _aggregateFlushFailures);
                }
            }
        }
        finally
        {
            _flushAggregatesLock.Release();
        }
    }

    private async Task RunBackgroundAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.AggregateFlushInterval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await FlushAggregatesAsync(cancellationToken).ConfigureAwait(false);
                foreach (var chain in _chains.Values)
                {
                    await chain.DigestIfDueAsync(force: false, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is AuditException or ObjectStoreException)
            {
                // Retried at the next tick: aggregates were put back, digests stay due.
                Interlocked.Increment(ref _aggregateFlushFailures);
            }
        }
    }
}
