using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Moat.Indexer.SegmentStore;
using Moat.Internal.V1;
using Moat.Search;
using Moat.Segments;
using Moat.Segments.Segments;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;

namespace Moat.Query.Snapshots;

/// <summary>
/// A stored segment read by ranges (DESIGN section 4: range reads for cold queries). Its plaintext
/// lives in one buffer the size of the segment, filled chunk by chunk: only the sealed chunks a query
/// touches are fetched and authenticated (<see cref="SealedObjectReader.ReadAsync"/>), and a bitmap
/// says which are present. Opening reads the head only; the ids and tombstones (every query needs
/// them for shadowing) come next; each query then brings in the sections it names
/// (<see cref="PrepareAsync"/>), and within vector columns only the rows and index lists it scores
/// (the engine asks through <see cref="IResidency"/> and names what it lacks). The buffer's pages
/// are committed by the OS as chunks arrive; <see cref="ResidentBytes"/> is what the cache counts.
/// </summary>
internal sealed class RangeSegment : IResidency, IDisposable
{
    /// <summary>Readers used at once to fetch one segment's ranges (each has its own cipher: AES-GCM instances are not shared across threads).</summary>
    private const int MaxParallelFetches = 4;

    /// <summary>Missing chunks this close together are fetched in one request (fewer round trips for a few extra bytes).</summary>
    private const int GapChunks = 2;

    /// <summary>Above this many missing chunks in one request for more, the span between them is fetched whole.</summary>
    private const int MaxScatteredChunks = 256;

    private readonly IObjectStore _store;
    private readonly string _key;
    private readonly TimeSpan _callTimeout;
    private readonly byte[] _buffer;
    private readonly ulong[] _present;
    private readonly int _chunkSize;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentBag<SealedObjectReader> _readers = [];
    private readonly ConcurrentDictionary<string, SearchAttribute> _attributes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Search.VectorColumn> _vectors = new(StringComparer.Ordinal);
    private long _residentBytes;
    private SegmentReader? _reader;
    private SearchSegment? _engine;
    private bool _disposed;

    private RangeSegment(IObjectStore store, string key, TimeSpan callTimeout, SealedObjectReader first)
    {
        _store = store;
        _key = key;
        _callTimeout = callTimeout;
        _chunkSize = first.Header.ChunkSize;
        _buffer = GC.AllocateUninitializedArray<byte>(checked((int)first.Length));
        var chunks = (_buffer.Length + _chunkSize - 1) / _chunkSize;
        _present = new ulong[(chunks + 63) / 64];
        _readers.Add(first);
    }

    /// <summary>The segment as sections (reading one that is not present throws).</summary>
    public SegmentReader Reader => _reader ?? throw new InvalidOperationException("The segment is not open.");

    /// <summary>
    /// The engine's view: ids and tombstones always; attributes and vector columns as queries
    /// prepared them (a query only reads what it prepared).
    /// </summary>
    public SearchSegment Engine => _engine ?? throw new InvalidOperationException("The segment is not open.");

    /// <summary>Plaintext bytes present in memory.</summary>
    public long ResidentBytes => Interlocked.Read(ref _residentBytes);

    /// <summary>Plaintext bytes of the whole segment.</summary>
    public long Length => _buffer.Length;

    /// <summary>
    /// Opens the segment at <paramref name="key"/>: fetches the sealed header, the segment's head,
    /// then its ids and tombstones. Throws <see cref="SegmentMissingException"/> when it is absent.
    /// </summary>
    public static async Task<RangeSegment> OpenAsync(IObjectStore store, string key, ManifestSegment entry, string namespaceId,
        IDataKeySource keys, TimeSpan callTimeout, CancellationToken cancellationToken)
    {
        var first = await OpenReaderAsync(store, key, keys, callTimeout, cancellationToken).ConfigureAwait(false);
        var segment = new RangeSegment(store, key, callTimeout, first);
        try
        {
            await segment.EnsureAsync([(0, Math.Min(SegmentLayout.PrefixLength, segment.Length))], keys, cancellationToken).ConfigureAwait(false);
            var head = SegmentLayout.HeadLength(segment._buffer.AsSpan(0, SegmentLayout.PrefixLength));
            await segment.EnsureAsync([(0, head)], keys, cancellationToken).ConfigureAwait(false);
            var reader = SegmentReader.Open(segment._buffer, segment);
            if (reader.Header.SegmentId != entry.SegmentId || reader.Header.NamespaceId != namespaceId)
            {
                throw new SegmentMissingException($"The segment object '{key}' holds segment '{reader.Header.SegmentId}' of namespace '{reader.Header.NamespaceId}'.");
            }

            segment._reader = reader;
            await segment.EnsureAsync([Range(reader, SegmentSectionKind.Ids), Range(reader, SegmentSectionKind.Tombstones)], keys, cancellationToken).ConfigureAwait(false);
            segment._engine = new SearchSegment(reader.Header.SegmentId, SearchSegmentAdapter.Ids(reader), SearchSegmentAdapter.Tombstones(reader), segment._attributes, segment._vectors);
            return segment;
        }
        catch
        {
            segment.Dispose();
            throw;
        }
    }

    /// <summary>Whether every byte of <paramref name="bytes"/> (a slice of this segment's buffer) is present.</summary>
    public bool Contains(ReadOnlyMemory<byte> bytes) =>
        bytes.IsEmpty || (TryLocate(bytes, out var offset, out var length) && (IsWhole || Contains(offset, length)));

    /// <summary>Whether <paramref name="bytes"/> is a slice of this segment's buffer.</summary>
    public bool Owns(ReadOnlyMemory<byte> bytes) => TryLocate(bytes, out _, out _);

    /// <summary>Every chunk is present (then no check needs the bitmap).</summary>
    public bool IsWhole => ResidentBytes == _buffer.Length;

    /// <summary>
    /// Brings in what <paramref name="needs"/> names (whole sections for attributes; a vector
    /// column's header, presence bitmap and index head) and adds their engine parts.
    /// </summary>
    public async Task PrepareAsync(QueryNeeds needs, IDataKeySource keys, CancellationToken cancellationToken)
    {
        var reader = Reader;
        var schema = reader.Schema;
        var attributes = needs.AttributesOf(schema).Where(n => !_attributes.ContainsKey(n) && reader.HasAttribute(n)).ToList();
        var vectors = needs.VectorsOf(schema).Where(n => !_vectors.ContainsKey(n) && reader.Directory.TryFind(SegmentSectionKind.Vectors, n, out _)).ToList();
        if (attributes.Count == 0 && vectors.Count == 0)
        {
            return;
        }

        var ranges = new List<(long, long)>();
        foreach (var name in attributes)
        {
            ranges.Add(Range(reader, SegmentSectionKind.Attribute, name));
            foreach (var kind in new[] { SegmentSectionKind.FilterIndex, SegmentSectionKind.FullText })
            {
                if (reader.Directory.TryFind(kind, name, out var r))
                {
                    ranges.Add((r.Offset, r.Length));
                }
            }
        }

        // Vector columns: their headers first, to learn how long the prefix and index head are.
        foreach (var name in vectors)
        {
            var column = reader.Directory.Find(SegmentSectionKind.Vectors, name);
            ranges.Add((column.Offset, Math.Min(VectorColumnData.HeaderLength, column.Length)));
            if (reader.Directory.TryFind(SegmentSectionKind.VectorIndex, name, out var index))
            {
                ranges.Add((index.Offset, Math.Min(VectorIndexDecoder.HeaderBytes, index.Length)));
            }
        }

        await EnsureAsync(ranges, keys, cancellationToken).ConfigureAwait(false);
        ranges.Clear();
        foreach (var name in vectors)
        {
            var column = reader.Directory.Find(SegmentSectionKind.Vectors, name);
            ranges.Add((column.Offset, VectorColumnData.PrefixLength(_buffer.AsSpan((int)column.Offset, (int)Math.Min(VectorColumnData.HeaderLength, column.Length)))));
            if (reader.Directory.TryFind(SegmentSectionKind.VectorIndex, name, out var index) && index.Length >= VectorIndexDecoder.HeaderBytes)
            {
                var head = VectorIndexDecoder.HeadLength(index.IndexVersion, index.IndexKind, _buffer.AsSpan((int)index.Offset, VectorIndexDecoder.HeaderBytes));
                ranges.Add((index.Offset, head == 0 ? index.Length : Math.Min(head, index.Length)));
            }
        }

        await EnsureAsync(ranges, keys, cancellationToken).ConfigureAwait(false);
        foreach (var name in attributes)
        {
            var attribute = SearchSegmentAdapter.Attribute(reader, name, schema.Attributes[name]);
            CheckRows(attribute.Column.RowCount, name);
            _attributes.TryAdd(name, attribute);
        }

        foreach (var name in vectors)
        {
            var column = SearchSegmentAdapter.Vector(reader, name, schema.Vectors[name], this);
            CheckRows(column.RowCount, name);
            _vectors.TryAdd(name, column);
        }
    }

    /// <summary>Brings in the given slices of this segment's buffer (what the engine said it lacks).</summary>
    public Task EnsureAsync(IEnumerable<ReadOnlyMemory<byte>> slices, IDataKeySource keys, CancellationToken cancellationToken)
    {
        var ranges = new List<(long, long)>();
        foreach (var s in slices)
        {
            if (TryLocate(s, out var offset, out var length))
            {
                ranges.Add((offset, length));
            }
        }

        return EnsureAsync(ranges, keys, cancellationToken);
    }

    /// <summary>Brings in the whole segment (WarmCache, and folding a WAL tail that patches older rows).</summary>
    public Task EnsureAllAsync(IDataKeySource keys, CancellationToken cancellationToken) =>
        EnsureAsync([(0, _buffer.Length)], keys, cancellationToken);

    /// <summary>
    /// Makes plaintext ranges present: fetches the missing chunks they touch (nearby ones merged
    /// into one request; up to <see cref="MaxParallelFetches"/> requests at once), authenticating
    /// each chunk before it is marked present.
    /// </summary>
    public async Task EnsureAsync(IReadOnlyList<(long Offset, long Length)> ranges, IDataKeySource keys, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (ranges.All(r => Contains(r.Offset, r.Length)))
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var runs = MissingRuns(ranges);
            if (runs.Count == 0)
            {
                return;
            }

            // Deal the runs out round-robin to at most MaxParallelFetches readers, each fetching its share in order.
            var lanes = Math.Min(MaxParallelFetches, runs.Count);
            var work = new Task[lanes];
            for (var lane = 0; lane < lanes; lane++)
            {
                var mine = runs.Where((_, i) => i % lanes == lane).ToList();
                work[lane] = FetchAsync(mine, keys, cancellationToken);
            }

            await Task.WhenAll(work).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Brings in the rest of the segment in the background, a run of at most
    /// <see cref="SealedObjectReader.MaxFetchBytes"/> at a time, so queries keep fetching what they
    /// need in between. Uses only readers already open (no key is asked for); stops quietly when
    /// the segment is disposed (evicted) or <paramref name="cancellationToken"/> fires. Returns
    /// whether the segment is whole.
    /// </summary>
    public async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!_disposed && !cancellationToken.IsCancellationRequested)
            {
                await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var runs = MissingRuns([(0, _buffer.Length)]);
                    if (runs.Count == 0)
                    {
                        return true;
                    }

                    if (!_readers.TryTake(out var reader))
                    {
                        return false; // every reader is in use by a query that is fetching: try on a later view
                    }

                    _readers.Add(reader);
                    await FetchAsync([runs[0]], NoNewKeys.Instance, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
        {
            // Evicted or shutting down: what was brought in stays usable until the segment is dropped.
        }

        return false;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    private void CheckRows(int rows, string name)
    {
        if (rows != Engine.RowCount)
        {
            throw new SegmentFormatException($"Column '{name}' of segment {Reader.Header.SegmentId} has {rows} rows; the segment has {Engine.RowCount}.");
        }
    }

    /// <summary>Where <paramref name="bytes"/> lies in this segment's buffer; false when it is not a slice of it.</summary>
    private bool TryLocate(ReadOnlyMemory<byte> bytes, out long offset, out long length)
    {
        var mine = MemoryMarshal.TryGetArray(bytes, out var slice) && ReferenceEquals(slice.Array, _buffer);
        offset = mine ? slice.Offset : 0;
        length = mine ? slice.Count : 0;
        return mine;
    }

    private static (long Offset, long Length) Range(SegmentReader reader, SegmentSectionKind kind, string name = "")
    {
        var r = reader.Directory.Find(kind, name);
        return (r.Offset, r.Length);
    }

    private static async Task<SealedObjectReader> OpenReaderAsync(IObjectStore store, string key, IDataKeySource keys, TimeSpan callTimeout, CancellationToken cancellationToken)
    {
        return await SealedObjectReader.OpenAsync(
            async (offset, length, ct) =>
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(callTimeout);
                var stored = await store.GetAsync(key, new ByteRange(offset, length), timeout.Token).ConfigureAwait(false)
                    ?? throw new SegmentMissingException($"Segment '{key}' named by the manifest is absent.");
                return stored.Data;
            },
            key,
            keys,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task FetchAsync(List<(long Offset, int Length)> runs, IDataKeySource keys, CancellationToken cancellationToken)
    {
        var reader = await RentReaderAsync(keys, cancellationToken).ConfigureAwait(false);
        var scratch = ArrayPool<byte>.Shared.Rent(runs.Max(r => r.Length));
        try
        {
            foreach (var (offset, length) in runs)
            {
                // Into scratch first: a run may cover chunks already present (which queries are
                // reading), and a failed read clears its destination.
                await reader.ReadAsync(offset, scratch.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                CopyMissing(scratch.AsSpan(0, length), offset);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scratch);
            ArrayPool<byte>.Shared.Return(scratch);
            _readers.Add(reader);
        }
    }

    /// <summary>Copies the chunks of a fetched run that are not present yet into the buffer and marks them present.</summary>
    private void CopyMissing(ReadOnlySpan<byte> run, long offset)
    {
        var end = offset + run.Length;
        for (var c = offset / _chunkSize; c * _chunkSize < end; c++)
        {
            if (IsPresent(c))
            {
                continue;
            }

            var start = c * _chunkSize;
            var length = (int)(Math.Min(start + _chunkSize, _buffer.Length) - start);
            run.Slice((int)(start - offset), length).CopyTo(_buffer.AsSpan((int)start, length));
            MarkPresent(c);
        }
    }

    private async Task<SealedObjectReader> RentReaderAsync(IDataKeySource keys, CancellationToken cancellationToken)
    {
        if (_readers.TryTake(out var reader))
        {
            return reader;
        }

        return await OpenReaderAsync(_store, _key, keys, _callTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs of missing chunks covering <paramref name="ranges"/>, as plaintext (offset, length), chunk-aligned and clipped to the segment.</summary>
    private List<(long Offset, int Length)> MissingRuns(IReadOnlyList<(long Offset, long Length)> ranges)
    {
        var chunks = new SortedSet<long>();
        foreach (var (offset, length) in ranges)
        {
            if (length <= 0)
            {
                continue;
            }

            var end = Math.Min(offset + length, _buffer.Length);
            for (var c = offset / _chunkSize; c * _chunkSize < end; c++)
            {
                if (!IsPresent(c))
                {
                    chunks.Add(c);
                }
            }
        }

        // Many scattered chunks (an exact scan of accepted rows all over a column): one sweep over
        // their span costs fewer requests than a request per chunk.
        var gap = chunks.Count > MaxScatteredChunks ? long.MaxValue : GapChunks;
        var runs = new List<(long, int)>();
        long start = -1, last = -1;
        foreach (var c in chunks)
        {
            if (start >= 0 && c - last <= gap && (c - start + 1) * (long)_chunkSize <= SealedObjectReader.MaxFetchBytes)
            {
                last = c;
                continue;
            }

            if (start >= 0)
            {
                runs.Add(Run(start, last));
            }

            start = last = c;
        }

        if (start >= 0)
        {
            runs.Add(Run(start, last));
        }

        return runs;
    }

    private (long, int) Run(long firstChunk, long lastChunk)
    {
        var offset = firstChunk * _chunkSize;
        var end = Math.Min((lastChunk + 1) * _chunkSize, _buffer.Length);
        return (offset, (int)(end - offset));
    }

    private bool Contains(long offset, long length)
    {
        if (length <= 0)
        {
            return true;
        }

        var end = Math.Min(offset + length, _buffer.Length);
        for (var c = offset / _chunkSize; c * _chunkSize < end; c++)
        {
            if (!IsPresent(c))
            {
                return false;
            }
        }

        return true;
    }

    private bool IsPresent(long chunk) => (Volatile.Read(ref _present[chunk >> 6]) & (1UL << (int)(chunk & 63))) != 0;

    /// <summary>Marks a chunk present (after it authenticated and was written).</summary>
    private void MarkPresent(long chunk)
    {
        var bit = 1UL << (int)(chunk & 63);
        if ((Interlocked.Or(ref _present[chunk >> 6], bit) & bit) == 0)
        {
            Interlocked.Add(ref _residentBytes, Math.Min((chunk + 1) * _chunkSize, _buffer.Length) - (chunk * _chunkSize));
        }
    }

    /// <summary>A key source for background work that must not open new readers (it holds no caller's keys).</summary>
    private sealed class NoNewKeys : IDataKeySource
    {
        public static readonly NoNewKeys Instance = new();

        public ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("A background fill uses the readers already open.");
    }
}
