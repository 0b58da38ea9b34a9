// One racer process for the cross-process object-store tests. It opens the local store, writes
// "ready-{id}" into the barrier directory, waits for "go" there (every wait has a limit), then runs
// its tasks at once and prints one line per outcome:
//   if-absent <root> <region> <key> <barrier-dir> <id> <tasks>
//       each task puts "{id}:{task}" if absent; prints "WIN {id}:{task}" or "LOSE {id}:{task}".
//   cas <root> <region> <key> <barrier-dir> <id> <tasks> <increments>
//       each task increments the decimal counter at key by compare-and-swap until it has succeeded
//       <increments> times; prints "SUCCESSES n" and "CONFLICTS n".
// Exit codes: 0 done, 2 usage, 3 the barrier or the race timed out, 4 an unexpected error.
using System.Globalization;
using System.Text;
using Moat.Storage.ObjectStore;

if (args.Length < 6 || (args[0] is not "if-absent" and not "cas"))
{
    Console.Error.WriteLine("usage: if-absent|cas <root> <region> <key> <barrier-dir> <id> <tasks> [increments]");
    return 2;
}

var (mode, root, region, key, barrier, id) = (args[0], args[1], args[2], args[3], args[4], args[5]);
var tasks = int.Parse(args[6], CultureInfo.InvariantCulture);
var increments = mode == "cas" ? int.Parse(args[7], CultureInfo.InvariantCulture) : 0;
using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
try
{
    using var store = new LocalFileSystemStore(root, region);
    await File.WriteAllTextAsync(Path.Combine(barrier, "ready-" + id), "ready", limit.Token);
    var go = Path.Combine(barrier, "go");
    while (!File.Exists(go))
    {
        await Task.Delay(1, limit.Token);
    }

    if (mode == "if-absent")
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, tasks).Select(task => Task.Run(async () =>
        {
            var name = $"{id}:{task}";
            try
            {
                await store.PutAsync(key, Encoding.UTF8.GetBytes(name), PutCondition.IfAbsent, limit.Token);
                return "WIN " + name;
            }
            catch (ObjectStorePreconditionFailedException)
            {
                return "LOSE " + name;
            }
        })));
        foreach (var outcome in outcomes)
        {
            Console.WriteLine(outcome);
        }
    }
    else
    {
        var results = await Task.WhenAll(Enumerable.Range(0, tasks).Select(_ => Task.Run(async () =>
        {
            var (successes, conflicts) = (0, 0);
            while (successes < increments)
            {
                var current = await store.GetAsync(key, null, limit.Token) ?? throw new InvalidOperationException("the counter is missing");
                var value = long.Parse(Encoding.UTF8.GetString(current.Data.Span), CultureInfo.InvariantCulture);
                try
                {
                    await store.PutAsync(key, Encoding.UTF8.GetBytes((value + 1).ToString(CultureInfo.InvariantCulture)), PutCondition.IfMatch(current.Metadata.ETag), limit.Token);
                    successes++;
                }
                catch (ObjectStorePreconditionFailedException)
                {
                    conflicts++;
                }
            }

            return (successes, conflicts);
        })));
        Console.WriteLine($"SUCCESSES {results.Sum(r => r.successes)}");
        Console.WriteLine($"CONFLICTS {results.Sum(r => r.conflicts)}");
    }

    return 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine($"racer {id}: timed out");
    return 3;
}
catch (Exception e) when (e is ObjectStoreException or IOException or InvalidOperationException)
{
    Console.Error.WriteLine($"racer {id}: {e}");
    return 4;
}
