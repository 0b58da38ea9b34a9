using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moat.Indexer.Collection;
using Moat.Indexer.Compaction;
using Moat.Indexer.Configuration;
using Moat.Indexer.Indexing;

namespace Moat.Indexer.Scheduling;

/// <summary>
/// Runs the indexer in the write service (docs/indexer.md): a commit notification indexes the
/// namespace after <see cref="IndexerOptions.Debounce"/>; a sweep every
/// <see cref="IndexerOptions.SweepInterval"/> indexes, compacts and collects every namespace seen.
/// At most <see cref="IndexerOptions.MaxConcurrency"/> namespaces are worked on at once, and one
/// namespace never twice at once in this process (other processes may race: the protocol is safe).
/// A failure is logged without customer data and retried with exponential backoff. Stopping cancels
/// the work in flight, which then publishes a true state or nothing.
/// </summary>
public sealed class IndexerScheduler : BackgroundService, IIndexerNotifier
{
    private const int MaxRunsPerTurn = 8;
    private const int MaxCompactionsPerTurn = 4;

    private readonly NamespaceIndexer _indexer;
    private readonly NamespaceCompactor _compactor;
    private readonly NamespaceCollector _collector;
    private readonly IndexerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, NamespaceWork> _namespaces = new(StringComparer.Ordinal);
    private readonly Channel<string> _ready = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = false });
    private CancellationToken _stopping;
    private long _turns;

    public IndexerScheduler(NamespaceIndexer indexer, NamespaceCompactor compactor, NamespaceCollector collector, IndexerOptions options,
        TimeProvider? timeProvider = null, ILogger<IndexerScheduler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(indexer);
        ArgumentNullException.ThrowIfNull(compactor);
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _indexer = indexer;
        _compactor = compactor;
        _collector = collector;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Turns of work completed (successful or not), all namespaces together.</summary>
    public long CompletedTurns => Interlocked.Read(ref _turns);

    /// <summary>Namespaces the sweep visits.</summary>
    public IReadOnlyCollection<string> KnownNamespaces => [.. _namespaces.Keys];

    /// <inheritdoc/>
    public void NotifyCommitted(string namespaceId)
    {
        Manifests.ManifestStore.CheckNamespace(namespaceId);
        var work = _namespaces.GetOrAdd(namespaceId, id => new NamespaceWork(id));
        lock (work)
        {
            work.Dirty = true;
            work.LastActivity = _time.GetUtcNow();
        }

        Schedule(work, _options.Debounce);
    }

    /// <summary>Adds a namespace to the sweep (e.g. every namespace of this region at start) and sweeps it soon.</summary>
    public void Track(string namespaceId)
    {
        Manifests.ManifestStore.CheckNamespace(namespaceId);
        var work = _namespaces.GetOrAdd(namespaceId, id => new NamespaceWork(id));
        lock (work)
        {
            work.Dirty = true;
            work.SweepDue = true;
            work.LastActivity = _time.GetUtcNow();
        }

        Schedule(work, TimeSpan.Zero);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Notifications that arrived before start wait in their delays or in the channel.
        _stopping = stoppingToken;
        var workers = Enumerable.Range(0, _options.MaxConcurrency).Select(_ => Task.Run(() => WorkAsync(stoppingToken), CancellationToken.None)).ToList();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(_options.SweepInterval, _time, stoppingToken).ConfigureAwait(false);
                Sweep();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            _ready.Writer.TryComplete();
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
    }

    private void Sweep()
    {
        var idleLimit = _options.WalRetention + _options.ReaderGrace + (2 * _options.SweepInterval);
        var now = _time.GetUtcNow();
        foreach (var work in _namespaces.Values)
        {
            lock (work)
            {
                if (work.Quiet && now - work.LastActivity > idleLimit && !work.Running && !work.Scheduled)
                {
                    // Nothing left to fold, compact or collect, and no write for longer than anything waits: forget it.
                    _namespaces.TryRemove(new KeyValuePair<string, NamespaceWork>(work.NamespaceId, work));
                    continue;
                }

                work.SweepDue = true;
                work.Dirty = true;
            }

            Schedule(work, TimeSpan.Zero);
        }
    }

    /// <summary>Queues the namespace after <paramref name="delay"/> unless it is already queued or running (then it runs again after).</summary>
    private void Schedule(NamespaceWork work, TimeSpan delay)
    {
        lock (work)
        {
            if (work.Scheduled || work.Running || _stopping.IsCancellationRequested)
            {
                return;
            }

            work.Scheduled = true;
        }

        if (delay <= TimeSpan.Zero)
        {
            _ready.Writer.TryWrite(work.NamespaceId);
            return;
        }

        _ = DelayThenQueueAsync(work.NamespaceId, delay);
    }

    private async Task DelayThenQueueAsync(string namespaceId, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        _ready.Writer.TryWrite(namespaceId);
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var namespaceId in _ready.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_namespaces.TryGetValue(namespaceId, out var work))
                {
                    await TurnAsync(work, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>One turn on a namespace: index (while more is waiting), then, when a sweep asked, compact and collect.</summary>
    private async Task TurnAsync(NamespaceWork work, CancellationToken stoppingToken)
    {
        bool sweep;
        lock (work)
        {
            work.Scheduled = false;
            work.Running = true;
            work.Dirty = false;
            sweep = work.SweepDue;
            work.SweepDue = false;
        }

        var stage = "indexing";
        var quiet = true;
        var retry = TimeSpan.Zero;
        try
        {
            for (var i = 0; i < MaxRunsPerTurn; i++)
            {
                var run = await _indexer.RunOnceAsync(work.NamespaceId, stoppingToken).ConfigureAwait(false);
                quiet &= run.Outcome == IndexRunOutcome.UpToDate;
                if (!run.MoreRemaining)
                {
                    break;
                }

                if (i == MaxRunsPerTurn - 1)
                {
                    lock (work)
                    {
                        work.Dirty = true; // a long backlog: give other namespaces a turn, then continue
                    }
                }
            }

            if (sweep)
            {
                stage = "compaction";
                for (var i = 0; i < MaxCompactionsPerTurn; i++)
                {
                    var compaction = await _compactor.CompactOnceAsync(work.NamespaceId, stoppingToken).ConfigureAwait(false);
                    if (compaction.Outcome != CompactionOutcome.Published)
                    {
                        break;
                    }

                    quiet = false;
                }

                stage = "garbage collection";
                var collected = await _collector.CollectAsync(work.NamespaceId, stoppingToken).ConfigureAwait(false);
                quiet &= collected.Total == 0;
            }

            lock (work)
            {
                work.Failures = 0;
                if (sweep)
                {
                    work.Quiet = quiet;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: the run publishes a true state or nothing
        }
        catch (Exception e)
        {
            int attempt;
            lock (work)
            {
                attempt = ++work.Failures;
                work.Dirty = true;
                work.SweepDue |= sweep;
                work.Quiet = false;
            }

            retry = Backoff(attempt);
            IndexerLog.WorkFailed(_logger, work.NamespaceId, stage, attempt, retry, SafeError.ForLog(e));
        }
        finally
        {
            bool again;
            lock (work)
            {
                work.Running = false;
                again = work.Dirty;
            }

            Interlocked.Increment(ref _turns);
            if (again && !stoppingToken.IsCancellationRequested)
            {
                Schedule(work, retry > TimeSpan.Zero ? retry : _options.Debounce);
            }
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(_options.RetryBaseDelay.Ticks * factor, _options.RetryMaxDelay.Ticks));
        return delay;
    }

    private sealed class NamespaceWork(string namespaceId)
    {
        public string NamespaceId { get; } = namespaceId;

        public bool Dirty { get; set; }

        public bool SweepDue { get; set; }

        public bool Scheduled { get; set; }

        public bool Running { get; set; }

        public bool Quiet { get; set; }

        public int Failures { get; set; }

        public DateTimeOffset LastActivity { get; set; }
    }
}
