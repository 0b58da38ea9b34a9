using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Moat.Internal.V1;
using Moat.Segments.Wal;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.Wal;

namespace Moat.Bench.Write;

/// <summary>
/// <c>--breakdown BATCH</c>: one writer, each step of the write path timed alone (median of a few
/// repetitions), to see where an acknowledgement's time goes.
/// </summary>
internal static class Breakdown
{
    public static async Task RunAsync(WriteDataSet data, int batch, string directory, TextWriter output)
    {
        var repetitions = batch >= 10_000 ? 15 : 200;
        var root = Path.Combine(directory, "breakdown");
        var keys = new FixedKeySource();
        using var lease = await keys.GetCurrentAsync("bench", CancellationToken.None);
        var dek = lease.Key;
        using var local = new LocalFileSystemStore(Path.Combine(root, "local"), "bench-1");
        var resilient = new ResilientObjectStore(local, new ResilientObjectStoreOptions());
        System.IO.Directory.CreateDirectory(Path.Combine(root, "bare"));
        var bare = new BarePut(Path.Combine(root, "bare"));
        var write = data.BuildWrite(0, batch);
        var entry = new WalEntry { NamespaceId = "bench", Sequence = 1, CommittedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) };
        entry.Writes.Add(write);
        var plaintext = WalEntryCodec.Encode(entry);
        var sealedEntry = SealedObjectWriter.Seal(plaintext, StoragePaths.WalEntry("bench", 1), 1, 1, dek.Span);
        long n = 0;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch {batch}: plaintext {plaintext.Length} B, sealed {sealedEntry.Length} B; median of {repetitions}"));
        Time("build WalWrite (Documents)", () => data.BuildWrite(0, batch));
        Time("encode the write (on submit)", () => write.ToByteArray());
        Time("WalEntryCodec.Encode (whole entry)", () => WalEntryCodec.Encode(entry));
        Time("seal", () => SealedObjectWriter.Seal(plaintext, StoragePaths.WalEntry("bench", 1), 1, 1, dek.Span));
        await TimeAsync("bare put (floor)", () => bare.PutAsync(n++, sealedEntry));
        await TimeAsync("LocalFileSystemStore.PutAsync if-absent", () => local.PutAsync(StoragePaths.WalEntry("local", ++n), sealedEntry, PutCondition.IfAbsent, CancellationToken.None));
        await TimeAsync("ResilientObjectStore.PutAsync if-absent", () => resilient.PutAsync(StoragePaths.WalEntry("resilient", ++n), sealedEntry, PutCondition.IfAbsent, CancellationToken.None));
        await using (var queue = new GroupCommitQueue(resilient, keys, new GroupCommitOptions()))
        {
            await TimeAsync("GroupCommitQueue.SubmitAsync (build + ack)", () => queue.SubmitAsync("queue", data.BuildWrite(0, batch), CancellationToken.None));
        }

        await using (var queue = new GroupCommitQueue(resilient, keys, new GroupCommitOptions { Window = TimeSpan.Zero }))
        {
            await TimeAsync("same, window 0", () => queue.SubmitAsync("queue0", data.BuildWrite(0, batch), CancellationToken.None));
        }

        System.IO.Directory.Delete(root, recursive: true);

        void Time(string step, Func<object> action) => Report(step, Enumerable.Range(0, repetitions).Select(_ =>
        {
            var t0 = Stopwatch.GetTimestamp();
            GC.KeepAlive(action());
            return Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }).ToArray());

        async Task TimeAsync(string step, Func<Task> action)
        {
            var times = new double[repetitions];
            for (var i = 0; i < repetitions; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                await action();
                times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            Report(step, times);
        }

        void Report(string step, double[] times)
        {
            Array.Sort(times);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {step,-45} {times[times.Length / 2],9:F3} ms  (min {times[0]:F3})"));
        }
    }
}
