using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Moat.Storage.Sealing;

namespace Moat.Bench.Sealing;

/// <summary>
/// Single-threaded seal/unseal throughput, measured with a stopwatch over repeated whole-object
/// operations, next to openssl's AES-256-GCM throughput at the matching size measured in the same
/// run. Each group (one openssl size) runs in rounds that interleave every Moat case with one
/// openssl run; the best round of each is reported, which keeps the comparison fair on a machine
/// shared with other work.
/// </summary>
internal static class ThroughputRun
{
    private const string ObjectPath = "v1/ns/bench/seg/segment-0001";
    private const int Chunk = SealedObjectFormat.DefaultChunkSize;
    private const int KiB = 1024;
    private const int MiB = 1024 * 1024;

    public static string Run(double secondsPerTrial, int opensslSeconds, int rounds)
    {
        var dek = RandomNumberGenerator.GetBytes(32);
        var keys = new OneKey(dek);
        var groups = new List<(int OpensslSize, List<Case> Cases)>();

        foreach (var size in new[] { 4 * KiB, 64 * KiB, 1 * MiB, 64 * MiB })
        {
            var cases = ObjectCases(size, size, Chunk, dek);
            if (size >= MiB)
            {
                cases.AddRange(StreamCases(size, dek, keys));
            }

            groups.Add((size, cases));
        }

        // Chunk throughput: a 16 MiB object in 16 KiB chunks, compared with openssl at 16 KiB blocks.
        groups.Add((16 * KiB, ObjectCases(16 * KiB, 16 * MiB, 16 * KiB, dek)));

        var text = new StringBuilder();
        text.AppendLine("| openssl -bytes | object | chunk | op | Moat MB/s | openssl MB/s | ratio | alloc B/op |");
        text.AppendLine("| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |");
        foreach (var (opensslSize, cases) in groups.OrderBy(g => g.OpensslSize))
        {
            double? openssl = null;
            foreach (var c in cases)
            {
                Warm(c.Op);
            }

            for (var round = 0; round < rounds; round++)
            {
                foreach (var c in cases)
                {
                    c.Trial(secondsPerTrial);
                }

                var o = OpenSslSpeed.MegabytesPerSecond(opensslSize, opensslSeconds);
                openssl = o is null ? openssl : Math.Max(openssl ?? 0, o.Value);
            }

            foreach (var c in cases)
            {
                var ratio = openssl is { } r ? (c.Best / r).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "n/a";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Size(opensslSize)} | {Size(c.ObjectSize)} | {Size(c.ChunkSize)} | {c.Name} | {c.Best:0} | {Mb(openssl)} | {ratio} | {c.AllocatedPerOp:0} |");
            }
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"MB/s = 10^6 bytes/s of plaintext; best of {rounds} interleaved rounds (Moat {secondsPerTrial:0.##} s per case, openssl `{OpenSslSpeed.Command(16384, opensslSeconds)}` with -bytes set per row).");
        return text.ToString();
    }

    private static List<Case> ObjectCases(int opensslSize, int objectSize, int chunkSize, byte[] dek)
    {
        var plaintext = RandomNumberGenerator.GetBytes(objectSize);
        var stored = new byte[SealedObjectFormat.GetSealedLength(objectSize, chunkSize)];
        var opened = new byte[objectSize];
        SealedObjectWriter.Seal(plaintext, stored, ObjectPath, 1, 1, dek, chunkSize);
        _ = opensslSize;
        return
        [
            new Case("seal", objectSize, chunkSize, () => SealedObjectWriter.Seal(plaintext, stored, ObjectPath, 1, 1, dek, chunkSize)),
            new Case("unseal", objectSize, chunkSize, () =>
            {
                SealedObjectReader.Unseal(stored, opened, ObjectPath, dek);
                if (opened[^1] != plaintext[^1])
                {
                    throw new InvalidOperationException("unseal returned different bytes");
                }
            }),
        ];
    }

    private static IEnumerable<Case> StreamCases(int objectSize, byte[] dek, OneKey keys)
    {
        var plaintext = RandomNumberGenerator.GetBytes(objectSize);
        var stored = SealedObjectWriter.Seal(plaintext, ObjectPath, 1, 1, dek);
        var sink = new MemoryStream(stored.Length);
        var buffer = new byte[MiB];
        yield return new Case("seal (stream)", objectSize, Chunk, () =>
        {
            sink.Position = 0;
            using var writer = new SealedObjectWriter(sink, ObjectPath, 1, 1, dek, plaintext.Length, leaveOpen: true);
            writer.Write(plaintext);
            writer.Complete();
        });
        yield return new Case("unseal (stream)", objectSize, Chunk, () =>
        {
            using var reader = SealedObjectReader.OpenStreamAsync(new MemoryStream(stored, writable: false), ObjectPath, keys)
                .AsTask().GetAwaiter().GetResult();
            while (reader.Read(buffer) > 0)
            {
            }
        });
    }

    private static void Warm(Action op)
    {
        var watch = Stopwatch.StartNew();
        var count = 0;
        while (watch.Elapsed.TotalSeconds < 0.2 || count < 3)
        {
            op();
            count++;
        }
    }

    private static string Mb(double? value) => value is { } v ? v.ToString("0", CultureInfo.InvariantCulture) : "n/a";

    private static string Size(int bytes) => bytes >= MiB
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / MiB} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / KiB} KiB");

    private sealed class Case(string name, int objectSize, int chunkSize, Action op)
    {
        public string Name => name;

        public int ObjectSize => objectSize;

        public int ChunkSize => chunkSize;

        public Action Op => op;

        public double Best { get; private set; }

        public double AllocatedPerOp { get; private set; }

        /// <summary>Runs the operation for about <paramref name="seconds"/>; keeps the best MB/s seen.</summary>
        public void Trial(double seconds)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            long iterations = 0;
            do
            {
                op();
                iterations++;
            }
            while (watch.Elapsed.TotalSeconds < seconds || iterations < 3);

            watch.Stop();
            AllocatedPerOp = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)iterations;
            Best = Math.Max(Best, objectSize * (double)iterations / watch.Elapsed.TotalSeconds / 1e6);
        }
    }

    private sealed class OneKey(byte[] dek) : IDataKeySource
    {
        public ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken) =>
            ValueTask.FromResult<ReadOnlyMemory<byte>?>(dek);
    }
}
