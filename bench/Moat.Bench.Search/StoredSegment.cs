using System.Diagnostics;
using System.Security.Cryptography;
using Moat.Search;
using Moat.Search.Vectors;
using Moat.Segments.Indexing;
using Moat.Segments.Segments;
using Moat.Storage.Sealing;
using Moat.V1;

/// <summary>
/// One segment in its stored form: built by Moat.Segments' SegmentBuilder (with the IVF-SQ8 index
/// builder), sealed with AES-256-GCM under a random data key as the write path seals it, and
/// written to a file. <see cref="Open"/> is the cold path of the query service: read the sealed
/// bytes from disk, unseal, parse, adapt to the engine, and make a snapshot.
/// </summary>
internal sealed class StoredSegment : IDisposable
{
    private const string ObjectPath = "v1/ns/bench/seg/0";
    private readonly byte[] dataKey = RandomNumberGenerator.GetBytes(32);

    private StoredSegment(string file) => File = file;

    public string File { get; }

    public long SealedBytes => new FileInfo(File).Length;

    public TimeSpan BuildTime { get; private set; }

    public TimeSpan IndexTime { get; private set; }

    public static StoredSegment Build(string directory, NamespaceConfig schema, IEnumerable<Document> documents)
    {
        var folded = documents.Select(d => new FoldedDocument(Moat.Segments.DocKey.From(d.Id), d, 1)).ToList();
        var timing = new TimedIndexBuilder();
        var sw = Stopwatch.StartNew();
        var plain = SegmentBuilder.BuildToArray(new SegmentBuildRequest
        {
            SegmentId = "0",
            NamespaceId = "bench",
            Schema = schema,
            Contents = new FoldResult(folded, [], 1, 1),
            VectorIndexBuilder = timing,
        });
        var segment = new StoredSegment(Path.Combine(directory, "segment.sealed")) { BuildTime = sw.Elapsed, IndexTime = timing.Elapsed };
        using (var file = new FileStream(segment.File, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var writer = new SealedObjectWriter(file, ObjectPath, keyringVersion: 1, dekId: 1, segment.dataKey, plain.Length))
        {
            writer.Write(plain);
            writer.Complete();
        }

        return segment;
    }

    /// <summary>Reads, unseals and adapts the segment: what a query service does on a cache miss.</summary>
    public SearchSnapshot Open()
    {
        var stored = System.IO.File.ReadAllBytes(File);
        var header = SealedObjectHeader.Parse(stored, ObjectPath);
        var plain = GC.AllocateUninitializedArray<byte>(checked((int)header.PlaintextLength));
        SealedObjectReader.Unseal(stored, plain, ObjectPath, dataKey);
        return new SearchSnapshot([SearchSegmentAdapter.FromReader(SegmentReader.Open(plain))]);
    }

    public void Dispose() => System.IO.File.Delete(File);

    private sealed class TimedIndexBuilder : IVectorIndexBuilder
    {
        private readonly IvfSq8IndexBuilder inner = new();

        public TimeSpan Elapsed { get; private set; }

        public string Kind => inner.Kind;

        public uint Version => inner.Version;

        public void Build(string column, Moat.V1.VectorColumn config, VectorColumnData vectors, System.Buffers.IBufferWriter<byte> output)
        {
            var sw = Stopwatch.StartNew();
            inner.Build(column, config, vectors, output);
            Elapsed += sw.Elapsed;
        }
    }
}
