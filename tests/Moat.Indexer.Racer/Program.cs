// One racer process for the indexer's cross-process tests. It opens the local store, writes
// "ready-{id}" into the barrier directory, waits for "go" (every wait has a limit), then runs at once
//   <writers> writers, each submitting <writes> writes (markers "{id}-{writer}-{i}", seeded by <seed>)
//   through its own group-commit queue, and
//   <indexers> indexers looping RunOnceAsync (and a compaction after each run) until the writers
//   are done and a run finds nothing new.
// It prints one line per outcome:
//   ACK <marker> <sequence> <index>    the write was acknowledged
//   FAIL <marker> <mayHaveBeenApplied> the write failed
//   INDEX <published> <lostRaces> <gaveUp> COMPACT <published> <abandoned>   totals at the end
// usage: <root> <region> <key-file> <barrier-dir> <id> <nsid> <writers> <writes> <indexers> <seed>
// Exit codes: 0 done, 2 usage, 3 the barrier or the race timed out, 4 an unexpected error.
using System.Globalization;
using Moat.Indexer.Compaction;
using Moat.Indexer.Configuration;
using Moat.Indexer.Indexing;
using Moat.Indexer.Manifests;
using Moat.Indexer.Racer;
using Moat.Indexer.SegmentStore;
using Moat.Storage.ObjectStore;
using Moat.Wal;

if (args.Length != 10)
{
    Console.Error.WriteLine("usage: <root> <region> <key-file> <barrier-dir> <id> <nsid> <writers> <writes> <indexers> <seed>");
    return 2;
}

var (root, region, keyFile, barrier, id, nsid) = (args[0], args[1], args[2], args[3], args[4], args[5]);
var writers = int.Parse(args[6], CultureInfo.InvariantCulture);
var writes = int.Parse(args[7], CultureInfo.InvariantCulture);
var indexers = int.Parse(args[8], CultureInfo.InvariantCulture);
var seed = ulong.Parse(args[9], CultureInfo.InvariantCulture);
using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
try
{
    using var store = new LocalFileSystemStore(root, region);
    var keys = new FixedKeys(Convert.FromHexString((await File.ReadAllTextAsync(keyFile, limit.Token)).Trim()));
    var options = new IndexerOptions { MaxEntriesPerRun = 6, MaxSmallSegments = 3, MaxMergeInputs = 4, StoreCallTimeout = TimeSpan.FromSeconds(20) };
    await File.WriteAllTextAsync(Path.Combine(barrier, "ready-" + id), "ready", limit.Token);
    var go = Path.Combine(barrier, "go");
    while (!File.Exists(go))
    {
        await Task.Delay(1, limit.Token);
    }

    var output = new List<string>();
    var writing = Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
    {
        // One queue per writer: each is its own group-commit loop, racing the others for sequences.
        await using var queue = new GroupCommitQueue(store, keys.ForWal(), new GroupCommitOptions { Window = TimeSpan.FromMilliseconds(1) });
        var random = new Mix64((seed * 1000) + ((ulong)w * 10) + ulong.Parse(id, CultureInfo.InvariantCulture));
        for (var i = 0; i < writes; i++)
        {
            var marker = $"{id}-{w}-{i}";
            try
            {
                var ack = await queue.SubmitAsync(nsid, Workload.Write(marker, random), limit.Token);
                lock (output)
                {
                    output.Add($"ACK {marker} {ack.Sequence} {ack.Index}");
                }
            }
            catch (WalCommitException e)
            {
                lock (output)
                {
                    output.Add($"FAIL {marker} {e.MayHaveBeenApplied}");
                }
            }
        }
    })));

    var (published, lost, gaveUp, compacted, abandoned) = (0, 0, 0, 0, 0);
    var indexing = Task.WhenAll(Enumerable.Range(0, indexers).Select(_ => Task.Run(async () =>
    {
        // Each indexer has its own manifest store and segment cache, as another process would.
        var manifests = new ManifestStore(store, keys, options);
        var segments = new SegmentObjects(store, keys, options);
        var indexer = new NamespaceIndexer(store, keys, new FixedSchema(), manifests, segments, options);
        var compactor = new NamespaceCompactor(new FixedSchema(), manifests, segments, options);
        while (true)
        {
            var done = writing.IsCompleted;
            var run = await indexer.RunOnceAsync(nsid, limit.Token);
            var compaction = await compactor.CompactOnceAsync(nsid, limit.Token);
            lock (output)
            {
                published += run.Outcome == IndexRunOutcome.Published ? 1 : 0;
                gaveUp += run.Outcome == IndexRunOutcome.GaveUp ? 1 : 0;
                lost += run.LostRaces;
                compacted += compaction.Outcome == CompactionOutcome.Published ? 1 : 0;
                abandoned += compaction.Outcome == CompactionOutcome.Abandoned ? 1 : 0;
            }

            if (done && run.Outcome == IndexRunOutcome.UpToDate)
            {
                return;
            }
        }
    })));

    await Task.WhenAll(writing, indexing);
    foreach (var line in output)
    {
        Console.WriteLine(line);
    }

    Console.WriteLine($"INDEX {published} {lost} {gaveUp} COMPACT {compacted} {abandoned}");
    return 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine($"racer {id}: timed out");
    return 3;
}
catch (Exception e)
{
    Console.Error.WriteLine($"racer {id}: {e}");
    return 4;
}
