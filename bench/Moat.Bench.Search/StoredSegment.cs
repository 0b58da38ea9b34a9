using System.Diagnostics;
using System.Security.Cryptography;
using Moat.Indexer.SegmentStore;
using Moat.Internal.V1;
using Moat.Query.Snapshots;
using Moat.Search;
using Moat.Search.Vectors;
using Moat.Segments.Indexing;
using Moat.Segments.Segments;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.V1;

/// <summary>
/// One segment in its stored form: built by Moat.Segments' SegmentBuilder (with the IVF-SQ8 index
/// builder), sealed with AES-256-GCM under a random data key as the write path seals it, and
/// written to a file and to a local object store (in the segment chunk size the indexer uses).
/// <see cref="Open"/> reads the sealed bytes whole, unseals, parses, adapts and makes a snapshot;
/// <see cref="OpenRangedAsync"/> is the query service's cold path: the segment opened for range
/// reads (<see cref="RangeSegment"/>), each query then fetching what it reads.
/// </summary>
internal sealed class StoredSegment : IDisposable
{
    private const string NamespaceId = "bench";
    private const string SegmentId = "0";
    private static readonly string ObjectPath = StoragePaths.Segment(NamespaceId, SegmentId);
    private readonly byte[] dataKey = RandomNumberGenerator.GetBytes(32);
    private readonly LocalFileSystemStore store;
    private readonly string storeDirectory;

    private StoredSegment(string file, string storeDirectory)
    {
        File = file;
        this.storeDirectory = storeDirectory;
        store = new LocalFileSystemStore(storeDirectory, "bench");
    }

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
        var segment = new StoredSegment(Path.Combine(directory, "segment.sealed"), Path.Combine(directory, "store")) { BuildTime = sw.Elapsed, IndexTime = timing.Elapsed };
        var sealedBytes = SealedObjectWriter.Seal(plain, ObjectPath, 1, 1, segment.dataKey, SegmentObjects.ChunkSize);
        System.IO.File.WriteAllBytes(segment.File, sealedBytes);
        segment.store.PutAsync(ObjectPath, sealedBytes, PutCondition.None, CancellationToken.None).GetAwaiter().GetResult();
        return segment;
    }

    /// <summary>The query service's cold path: open for range reads (head, ids, tombstones); queries fetch the rest they read.</summary>
    public async Task<(SearchSnapshot Snapshot, IReadOnlyList<RangeSegment> Ranged)> OpenRangedAsync()
    {
        var entry = new ManifestSegment { SegmentId = SegmentId, ObjectPath = ObjectPath };
        var ranged = await RangeSegment.OpenAsync(store, ObjectPath, entry, NamespaceId, Keys, TimeSpan.FromSeconds(30), CancellationToken.None);
        return (new SearchSnapshot([ranged.Engine]), [ranged]);
    }

    /// <summary>One query on a ranged snapshot, fetching what it reads.</summary>
    public Task<SearchResult> SearchRangedAsync(SearchSnapshot snapshot, IReadOnlyList<RangeSegment> ranged, SearchQuery query) =>
        RangeSearch.RunAsync(snapshot, ranged, query, Keys, CancellationToken.None);

    private IDataKeySource Keys => new FixedKey(dataKey);

    /// <summary>Reads, unseals and adapts the segment: what a query service does on a cache miss.</summary>
    public SearchSnapshot Open()
    {
        var stored = System.IO.File.ReadAllBytes(File);
        var header = SealedObjectHeader.Parse(stored, ObjectPath);
        var plain = GC.AllocateUninitializedArray<byte>(checked((int)header.PlaintextLength));
        SealedObjectReader.Unseal(stored, plain, ObjectPath, dataKey);
        return new SearchSnapshot([SearchSegmentAdapter.FromReader(SegmentReader.Open(plain))]);
    }

    public void Dispose()
    {
        System.IO.File.Delete(File);
        store.Dispose();
        System.IO.Directory.Delete(storeDirectory, recursive: true);
    }

    private sealed class FixedKey(byte[] key) : IDataKeySource
    {
        public ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken) =>
            ValueTask.FromResult<ReadOnlyMemory<byte>?>(keyringVersion == 1 && dekId == 1 ? key.ToArray() : null);
    }

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
