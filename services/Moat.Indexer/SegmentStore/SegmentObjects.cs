using System.Buffers;
using System.Security.Cryptography;
using Moat.Indexer.Configuration;
using Moat.Indexer.Indexing;
using Moat.Indexer.Keys;
using Moat.Indexer.Store;
using Moat.Internal.V1;
using Moat.Segments.Indexing;
using Moat.Segments.Segments;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;

namespace Moat.Indexer.SegmentStore;

/// <summary>
/// Sealed segments on the object store: build + seal + create at <c>seg/{segment-id}</c> under a
/// fresh unique id, and get + unseal + open. Segments are immutable, so a read is cached by id.
/// </summary>
public sealed class SegmentObjects : ISegmentSource
{
    private readonly IObjectStore _store;
    private readonly IServiceKeySource _keys;
    private readonly IndexerOptions _options;
    private readonly TimeProvider _time;
    private readonly SegmentCache _cache;

    public SegmentObjects(IObjectStore store, IServiceKeySource keys, IndexerOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _store = store;
        _keys = keys;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _cache = new SegmentCache(options.SegmentCacheBytes);
    }

    /// <summary>
    /// Sealed chunk size of segments: a range read fetches whole chunks, and a cold vector query
    /// re-ranks single rows scattered over the segment, so segments use smaller chunks than the
    /// 64 KiB default (the tag overhead is 16 bytes per chunk, 0.1%). Readers take any size from the header.
    /// </summary>
    public const int ChunkSize = 16 * 1024;

    /// <summary>A new segment id: the highest sequence it covers (for people reading listings) and 64 random bits.</summary>
    public static string NewSegmentId(ulong maxSequence) =>
        $"{maxSequence:D20}-{RandomNumberGenerator.GetHexString(16, lowercase: true)}";

    /// <summary>
    /// Builds the segment, seals it with the namespace's current DEK and creates it at a fresh id.
    /// Returns its manifest entry. Throws when the store's answer is lost and cannot be resolved (the
    /// object may then exist unreferenced: GC removes it).
    /// </summary>
    public async Task<ManifestSegment> WriteAsync(string namespaceId, FoldResult contents, NamespaceSchema schema, IVectorIndexBuilder? vectorIndex, KeyPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ArgumentNullException.ThrowIfNull(schema);
        var segmentId = NewSegmentId(contents.MaxSequence);
        var key = StoragePaths.Segment(namespaceId, segmentId);
        var request = new SegmentBuildRequest
        {
            SegmentId = segmentId,
            NamespaceId = namespaceId,
            Schema = schema.Config,
            SchemaVersion = schema.Version,
            Contents = contents,
            CreatedAt = _time.GetUtcNow(),
            VectorIndexBuilder = vectorIndex,
        };
        var plaintext = new ArrayBufferWriter<byte>();
        var header = SegmentBuilder.Build(request, plaintext);
        using var dataKey = await _keys.GetCurrentAsync(namespaceId, purpose, cancellationToken).ConfigureAwait(false);
        byte[] sealedSegment;
        try
        {
            sealedSegment = SealedObjectWriter.Seal(plaintext.WrittenSpan, key, dataKey.KeyringVersion, dataKey.DekId, dataKey.Key.Span, ChunkSize);
        }
        finally
        {
            plaintext.Clear(); // zeroes the written plaintext
        }

        var outcome = await CreateIfAbsent.PutAsync(_store, key, sealedSegment, _options.StoreCallTimeout, _time, cancellationToken).ConfigureAwait(false);
        if (outcome != CreateOutcome.Created)
        {
            // 64 random bits make this a forged or corrupted store, not a race.
            throw new InvalidOperationException($"The fresh segment key '{key}' was already taken.");
        }

        return new ManifestSegment
        {
            SegmentId = segmentId,
            ObjectPath = key,
            RowCount = header.RowCount,
            TombstoneCount = header.TombstoneCount,
            MinSequence = header.MinSequence,
            MaxSequence = header.MaxSequence,
            ByteSize = (ulong)sealedSegment.Length,
            FormatVersion = SegmentLayout.CurrentVersion,
        };
    }

    /// <summary>
    /// The segment a manifest names, unsealed and opened (cached by id: segments are immutable).
    /// Throws <see cref="SegmentMissingException"/> when the object is absent.
    /// </summary>
    public async Task<SegmentReader> ReadAsync(string namespaceId, ManifestSegment segment, KeyPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var key = StoragePaths.Segment(namespaceId, segment.SegmentId);
        if (segment.ObjectPath.Length > 0 && segment.ObjectPath != key)
        {
            throw new SegmentMissingException($"Manifest entry of segment '{segment.SegmentId}' names the path '{segment.ObjectPath}', not '{key}'.");
        }

        if (_cache.TryGet(key, out var cached))
        {
            return cached;
        }

        StoredObject? stored;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_options.StoreCallTimeout);
            stored = await _store.GetAsync(key, null, timeout.Token).ConfigureAwait(false);
        }

        if (stored is null)
        {
            throw new SegmentMissingException($"Segment '{key}' named by the manifest is absent.");
        }

        var plaintext = await SealedObjectReader.UnsealAsync(stored.Data, key, _keys.DataKeys(namespaceId, purpose), cancellationToken).ConfigureAwait(false);
        var reader = SegmentReader.Open(plaintext);
        if (reader.Header.SegmentId != segment.SegmentId || reader.Header.NamespaceId != namespaceId)
        {
            throw new SegmentMissingException($"The segment object '{key}' holds segment '{reader.Header.SegmentId}' of namespace '{reader.Header.NamespaceId}'.");
        }

        _cache.Add(key, reader, plaintext.Length);
        return reader;
    }
}
