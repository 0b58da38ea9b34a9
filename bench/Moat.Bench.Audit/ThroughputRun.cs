using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Moat.Audit;
using Moat.Storage.ObjectStore;

namespace Moat.Bench.Audit;

/// <summary>64 callers in a closed loop for a fixed time; each iteration is one operation, optionally followed by its durable audit append.</summary>
internal static class ThroughputRun
{
    public static async Task<(double OpsPerSecond, long Operations)> RunAsync(IObjectStore store, AuditWriter? writer, Workload workload,
        int callers, TimeSpan duration, string runId)
    {
        long operations = 0;
        using var stop = new CancellationTokenSource();
        var org = new AuditIdentifier("org-bench");
        var principal = AuditPrincipal.ApiKey(org, new AuditIdentifier("key-1"));
        var clock = Stopwatch.StartNew();
        stop.CancelAfter(duration);
        var tasks = Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var buffer = new byte[4096];
            RandomNumberGenerator.Fill(buffer);
            var hash = new byte[32];
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < 4; i++)
                {
                    SHA256.HashData(buffer, hash);
                    buffer[0] ^= hash[0];
                }

                if (workload == Workload.DurableWrite)
                {
                    var key = string.Create(CultureInfo.InvariantCulture, $"bench/{runId}/state/{caller}/{n}");
                    await store.PutAsync(key, buffer.AsMemory(0, 256), PutCondition.None, CancellationToken.None);
                }

                if (writer is not null)
                {
                    await writer.AppendDurableAsync(new AuditEvent
                    {
                        Kind = AuditEventKind.SettingChange,
                        Outcome = AuditEventOutcome.Success,
                        Org = org,
                        Principal = principal,
                        Subject = new AuditIdentifier("setting-" + (n % 16).ToString(CultureInfo.InvariantCulture)),
                    });
                }

                n++;
                Interlocked.Increment(ref operations);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var seconds = clock.Elapsed.TotalSeconds;
        return (operations / seconds, operations);
    }
}
