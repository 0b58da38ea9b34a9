using System.Globalization;
using System.Security.Cryptography;
using Moat.Audit;
using Moat.Bench.Audit;
using Moat.Storage.Keyring;
using Moat.Storage.ObjectStore;

// State-changing operations per second at 64 concurrent callers, with durable audit
// (AuditWriter.AppendDurableAsync on a LocalFileSystemStore) and without (the append skipped here,
// in the harness; the library has no such switch). Off and on alternate in the same run.
const int Callers = 64;
var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 4;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
var windowMs = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 0;
var duration = TimeSpan.FromSeconds(seconds);

var root = Path.Combine(Path.GetTempPath(), "moat-bench-audit-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
using var store = new LocalFileSystemStore(root, "bench-1");
using var kek = new AesGcmKeyWrapper(1, RandomNumberGenerator.GetBytes(32));
using var keyring = NamespaceKeyring.CreateFirst("audit-org-bench", kek);
using var signer = EcdsaAuditSigner.Create("bench-keyvault");
var checkpointer = new AuditCheckpointer(store, signer, store.Region);
var writer = new AuditWriter(store, new KeyringAuditKeyProvider(keyring), checkpointer,
    new AuditWriterOptions { WriterId = AuditWriterId.Create("bench", "1"), GroupCommitWindow = TimeSpan.FromMilliseconds(windowMs) });

var results = new List<(Workload Workload, string Mode, double Ops, long Count)>();
var run = 0;
try
{
    foreach (var workload in new[] { Workload.Cpu, Workload.DurableWrite })
    {
        // Warm up both paths.
        await ThroughputRun.RunAsync(store, null, workload, Callers, TimeSpan.FromSeconds(0.5), "w" + run++);
        await ThroughputRun.RunAsync(store, writer, workload, Callers, TimeSpan.FromSeconds(0.5), "w" + run++);
        for (var r = 0; r < rounds; r++)
        {
            var off = await ThroughputRun.RunAsync(store, null, workload, Callers, duration, "r" + run++);
            results.Add((workload, "off", off.OpsPerSecond, off.Operations));
            var on = await ThroughputRun.RunAsync(store, writer, workload, Callers, duration, "r" + run++);
            results.Add((workload, "on", on.OpsPerSecond, on.Operations));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{workload} round {r + 1}: off {off.OpsPerSecond:F0}/s, on {on.OpsPerSecond:F0}/s"));
        }
    }

    var stats = writer.GetStatistics();
    await writer.DisposeAsync();

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| workload | callers | audit off ops/s | audit on ops/s | ratio | records/batch |"));
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
    foreach (var workload in new[] { Workload.Cpu, Workload.DurableWrite })
    {
        var off = results.Where(x => x.Workload == workload && x.Mode == "off").Max(x => x.Ops);
        var on = results.Where(x => x.Workload == workload && x.Mode == "on").Max(x => x.Ops);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {workload} | {Callers} | {off:F0} | {on:F0} | {on / off:F2}x | {(double)stats.Records / stats.Batches:F1} (all runs) |"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"audit: {stats.Records} records in {stats.Batches} batches, {stats.Digests} digests; group commit window {windowMs} ms; best of {rounds} rounds of {seconds} s each, off/on alternating"));
}
finally
{
    Directory.Delete(root, recursive: true);
}
