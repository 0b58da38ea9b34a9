using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moat.Indexer.Configuration;
using Moat.Indexer.Indexing;
using Moat.Indexer.Keys;
using Moat.Indexer.Racer;
using Moat.Indexer.Scheduling;
using Moat.Indexer.Snapshots;
using Moat.Internal.V1;
using Moat.Storage.ObjectStore;

namespace Moat.Indexer.Tests;

public sealed class SchedulerTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly TempStore _dir = new();
    private readonly FixedKeys _writerKeys = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_commit_notification_gets_the_namespace_indexed_after_the_debounce()
    {
        var store = _dir.Open();
        var options = IndexerKit.Options(o => (o.Debounce, o.SweepInterval) = (TimeSpan.FromMilliseconds(50), TimeSpan.FromHours(1)));
        var (scheduler, instance) = Scheduler(store, new FixedKeys(_writerKeys.Key.ToArray()), options);
        await scheduler.StartAsync(CancellationToken.None);
        await using (var queue = IndexerKit.Queue(store, _writerKeys))
        {
            var random = new Mix64(51);
            for (var i = 0; i < 10; i++)
            {
                await IndexerKit.CommitAsync(queue, random, 1, $"w{i}");
                scheduler.NotifyCommitted(IndexerKit.Nsid);
            }
        }

        await WaitForWatermarkAsync(instance, 10);
        var chain = await IndexerKit.AssertChainAsync(instance.Manifests);
        Assert.True(chain.Count < 10, $"the debounce should fold several commits at once ({chain.Count} manifests for 10 commits)");
        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(store, _writerKeys)), await instance.SnapshotAsync());
        await scheduler.StopAsync(CancellationToken.None).WaitAsync(Limit);
    }

    [Fact]
    public async Task The_sweep_indexes_what_no_one_announced_and_compacts()
    {
        var store = _dir.Open();
        var options = IndexerKit.Options(o => (o.SweepInterval, o.MaxSmallSegments, o.MaxEntriesPerRun) = (TimeSpan.FromMilliseconds(100), 2, 2));
        var (scheduler, instance) = Scheduler(store, new FixedKeys(_writerKeys.Key.ToArray()), options);
        scheduler.Track(IndexerKit.Nsid);
        await scheduler.StartAsync(CancellationToken.None);
        await using (var queue = IndexerKit.Queue(store, _writerKeys))
        {
            await IndexerKit.CommitAsync(queue, new Mix64(52), 12, "w"); // another process's writes: no notification here
        }

        await WaitForWatermarkAsync(instance, 12);
        using var cts = new CancellationTokenSource(Limit);
        while ((await instance.SnapshotAsync()).Segments.Count > 2)
        {
            await Task.Delay(20, cts.Token);
        }

        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(store, _writerKeys)), await instance.SnapshotAsync());
        await IndexerKit.AssertChainAsync(instance.Manifests);
        await scheduler.StopAsync(CancellationToken.None).WaitAsync(Limit);
    }

    [Fact]
    public async Task A_failure_is_logged_without_its_message_and_retried_with_backoff()
    {
        var store = _dir.Open();
        var keys = new FixedKeys(_writerKeys.Key.ToArray()) { FailuresToInject = 3 };
        var log = new ListLogger();
        var options = IndexerKit.Options(o => (o.Debounce, o.RetryBaseDelay, o.SweepInterval) = (TimeSpan.Zero, TimeSpan.FromMilliseconds(50), TimeSpan.FromHours(1)));
        var (scheduler, instance) = Scheduler(store, keys, options, log);
        await using (var queue = IndexerKit.Queue(store, _writerKeys))
        {
            await IndexerKit.CommitAsync(queue, new Mix64(53), 3, "w");
        }

        await scheduler.StartAsync(CancellationToken.None);
        scheduler.NotifyCommitted(IndexerKit.Nsid);
        await WaitForWatermarkAsync(instance, 3);
        await scheduler.StopAsync(CancellationToken.None).WaitAsync(Limit);

        var failures = log.Entries.Where(e => e.Contains("failed (attempt", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, failures.Count);
        Assert.Contains("retrying in 00:00:00.2000000", failures[2], StringComparison.Ordinal); // 50, 100, 200 ms
        Assert.All(log.Entries, e => Assert.DoesNotContain("injected", e, StringComparison.Ordinal));
        Assert.Contains(failures, e => e.Contains("System.InvalidOperationException (message withheld", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_cancels_slow_work_and_returns_promptly()
    {
        var slow = new FaultyObjectStore(_dir.Open()) { SlowDelay = TimeSpan.FromSeconds(20) };
        var options = IndexerKit.Options(o => o.Debounce = TimeSpan.Zero);
        var (scheduler, _) = Scheduler(slow, new FixedKeys(_writerKeys.Key.ToArray()), options);
        await using (var queue = IndexerKit.Queue(_dir.Open(), _writerKeys))
        {
            await IndexerKit.CommitAsync(queue, new Mix64(54), 2, "w");
        }

        slow.SetRandomFaults(ObjectStoreOperations.All, slow: 1);
        await scheduler.StartAsync(CancellationToken.None);
        scheduler.NotifyCommitted(IndexerKit.Nsid);
        using var cts = new CancellationTokenSource(Limit);
        while (slow.Calls(ObjectStoreOperations.All) == 0)
        {
            await Task.Delay(10, cts.Token);
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await scheduler.StopAsync(CancellationToken.None).WaitAsync(Limit);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {watch.Elapsed}");
        Assert.Empty(await new IndexerInstance(_dir.Open(), _writerKeys, IndexerKit.Options()).Manifests.ListAsync(IndexerKit.Nsid, CancellationToken.None));
    }

    [Fact]
    public async Task The_service_collection_wiring_resolves_the_indexer_and_validates_options()
    {
        var store = _dir.Open();
        var keys = new FixedKeys(_writerKeys.Key.ToArray());
        ServiceProvider Build(Dictionary<string, string?> settings)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IObjectStore>(store);
            services.AddSingleton<IServiceKeySource>(keys);
            services.AddSingleton<INamespaceSchemaSource>(new FixedSchema());
            services.AddMoatIndexer(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
            return services.BuildServiceProvider();
        }

        await using (var provider = Build(new() { ["Indexer:Debounce"] = "00:00:00.010" }))
        {
            var notifier = provider.GetRequiredService<IIndexerNotifier>();
            Assert.Same(provider.GetRequiredService<IndexerScheduler>(), notifier);
            Assert.Contains(provider.GetServices<IHostedService>(), s => ReferenceEquals(s, notifier));
            await using var queue = IndexerKit.Queue(store, _writerKeys);
            await IndexerKit.CommitAsync(queue, new Mix64(55), 2, "w");
            var hosted = provider.GetRequiredService<IndexerScheduler>();
            await hosted.StartAsync(CancellationToken.None);
            notifier.NotifyCommitted(IndexerKit.Nsid);
            var loader = provider.GetRequiredService<NamespaceSnapshotLoader>();
            using var cts = new CancellationTokenSource(Limit);
            while ((await loader.LoadAsync(IndexerKit.Nsid, KeyPurpose.CallerRequest, cts.Token)).Watermark < 2)
            {
                await Task.Delay(20, cts.Token);
            }

            await hosted.StopAsync(CancellationToken.None);
        }

        await using (var provider = Build(new() { ["Indexer:WalRetention"] = "01:00:00" }))
        {
            var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<IndexerOptions>>().Value);
            Assert.Contains("Indexer:WalRetention must be at least", error.Message, StringComparison.Ordinal);
        }
    }

    private static (IndexerScheduler Scheduler, IndexerInstance Instance) Scheduler(IObjectStore store, FixedKeys keys, IndexerOptions options, ILogger<IndexerScheduler>? logger = null)
    {
        var instance = new IndexerInstance(store, keys, options);
        return (new IndexerScheduler(instance.Indexer, instance.Compactor, instance.Collector, options, logger: logger), instance);
    }

    private static async Task WaitForWatermarkAsync(IndexerInstance instance, ulong watermark)
    {
        using var cts = new CancellationTokenSource(Limit);
        while ((await instance.Manifests.GetLatestAsync(IndexerKit.Nsid, KeyPurpose.CallerRequest, cts.Token))?.WalWatermark != watermark)
        {
            await Task.Delay(20, cts.Token);
        }
    }

    /// <summary>Records every log entry with its exception, as the text a log sink would get.</summary>
    private sealed class ListLogger : ILogger<IndexerScheduler>
    {
        private readonly List<string> _entries = [];

        public IReadOnlyList<string> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add($"{formatter(state, exception)} {exception}");
            }
        }
    }
}
