using System.Globalization;
using System.Security.Cryptography;
using Moat.Bench.Write;

// The local store and the bare put use link(2) and directory fsync: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Sustained upserts (128-d float32 vector + 3 attributes) measured three ways on the same seeded rows:
// Moat's durable write path, the bare durable put of the same bytes (the floor), and LanceDB table.add.
if (args.Length == 2 && args[0] == "--breakdown")
{
    await Breakdown.RunAsync(WriteDataSet.Generate(BenchOptions.WriteDataSetSize, BenchOptions.Seed), int.Parse(args[1], CultureInfo.InvariantCulture), Path.GetTempPath(), Console.Out);
    return 0;
}

var options = BenchOptions.Parse(args);
var log = Console.Error;
// Blocking fsyncs hold pool threads: let the pool have enough from the start, for every system alike.
ThreadPool.SetMinThreads(256, 256);

var repositoryRoot = FindRepositoryRoot();
var work = Path.Combine(options.Directory, "moat-bench-write-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
Directory.CreateDirectory(work);
var data = WriteDataSet.Generate(BenchOptions.WriteDataSetSize, BenchOptions.Seed);
var dataDirectory = Path.Combine(work, "data");
Directory.CreateDirectory(dataDirectory);
data.WriteFiles(dataDirectory);
var lance = options.LanceDb ? LanceDbPeer.Prepare(repositoryRoot, log) : null;
var keys = new FixedKeySource();
var loadBefore = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
var rows = new List<CaseResult>();
var run = 0;
try
{
    foreach (var (batch, writers) in options.Cases)
    {
        var floorSize = MoatWritePath.StoredSizeOfSingleWrite("bench", data.BuildWrite(0, batch));
        var floorBytes = RandomNumberGenerator.GetBytes(floorSize);
        var results = new CaseResult(batch, writers, floorSize);
        for (var round = 0; round < options.Rounds; round++)
        {
            // The floor: the same bytes a one-write entry occupies, put durably by every writer.
            var floor = await Measure(async duration =>
            {
                var directory = Path.Combine(work, "floor-" + run++);
                Directory.CreateDirectory(directory);
                try
                {
                    var put = new BarePut(directory);
                    return await ClosedLoop.RunAsync(writers, batch, duration, n => put.PutAsync(n, floorBytes));
                }
                finally
                {
                    Directory.Delete(directory, recursive: true);
                }
            });
            results.Floor.Add(floor);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{batch}x{writers} floor:   {floor}"));

            // Moat: build the write as the service does, submit, wait for the durable ack.
            var moat = await Measure(duration => RunMoatAsync(writers, batch, duration, n => data.BuildWrite((int)(n * batch % data.Count), batch)));
            results.Moat.Add(moat);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{batch}x{writers} moat:    {moat}"));

            // The same with the writes built beforehand: what the WAL and the store cost alone.
            var prebuilt = Enumerable.Range(0, data.Count / batch).Select(i => data.BuildWrite(i * batch, batch)).ToArray();
            var moatPrebuilt = await Measure(duration => RunMoatAsync(writers, batch, duration, n => prebuilt[n % prebuilt.Length]));
            prebuilt = null;
            results.MoatPrebuilt.Add(moatPrebuilt);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{batch}x{writers} moat (pre-built writes): {moatPrebuilt}"));

            if (lance is not null)
            {
                var tables = Path.Combine(work, "lance-" + run++);
                Directory.CreateDirectory(tables);
                try
                {
                    var peer = lance.Run(dataDirectory, tables, batch, writers, options.Seconds, options.Warmup, log);
                    if (peer is not null)
                    {
                        results.LanceDb.Add(peer);
                        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{batch}x{writers} lancedb: {peer}"));
                    }
                }
                finally
                {
                    Directory.Delete(tables, recursive: true);
                }
            }
        }

        rows.Add(results);
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

var loadAfter = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
ResultTable.Print(Console.Out, rows, options, lance?.Version, loadBefore, loadAfter);
return 0;

// One closed-loop run of the durable write path in a fresh store; writeFor(n) gives operation n's write.
async Task<RunResult> RunMoatAsync(int writers, int batch, TimeSpan duration, Func<long, Moat.Internal.V1.WalWrite> writeFor)
{
    var root = Path.Combine(work, "moat-" + run++);
    try
    {
        await using var path = new MoatWritePath(root, "bench", keys, options.Window);
        var result = await ClosedLoop.RunAsync(writers, batch, duration, n => path.SubmitAsync(writeFor(n)));
        return result with { Entries = path.CountEntries() };
    }
    finally
    {
        Directory.Delete(root, recursive: true);
    }
}

// Warm up (JIT, files, caches) on a throwaway run, then measure.
async Task<RunResult> Measure(Func<TimeSpan, Task<RunResult>> once)
{
    if (options.Warmup > 0)
    {
        _ = await once(TimeSpan.FromSeconds(options.Warmup));
    }

    return await once(TimeSpan.FromSeconds(options.Seconds));
}

static string FindRepositoryRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Microservices.sln")))
            {
                return directory.FullName;
            }
        }
    }

    throw new InvalidOperationException("Run from the repository (Microservices.sln not found above the current or the program's directory).");
}
