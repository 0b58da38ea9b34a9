using System.Diagnostics;

namespace Moat.Bench.Write;

/// <summary>
/// Writers in a closed loop until a deadline: each waits for its operation's acknowledgement before
/// starting the next. Operation <c>n</c> (numbered across writers) is given to the system under test,
/// which picks its rows from it; the latency of every operation is kept.
/// </summary>
internal static class ClosedLoop
{
    public static async Task<RunResult> RunAsync(int writers, int documentsPerOperation, TimeSpan duration, Func<long, Task> operation)
    {
        var latencies = new List<double>[writers];
        long next = -1;
        var pausedBefore = GC.GetTotalPauseDuration();
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var tasks = new Task[writers];
        for (var w = 0; w < writers; w++)
        {
            var mine = latencies[w] = new List<double>(1024);
            tasks[w] = Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    var n = Interlocked.Increment(ref next);
                    var t0 = Stopwatch.GetTimestamp();
                    await operation(n).ConfigureAwait(false);
                    mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
            });
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = latencies.SelectMany(l => l).ToArray();
        return RunResult.From((long)all.Length * documentsPerOperation, seconds, all) with
        {
            GcPauseMs = (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds,
        };
    }
}
