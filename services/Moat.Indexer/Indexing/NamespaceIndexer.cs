using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moat.Indexer.Configuration;
using Moat.Indexer.Keys;
using Moat.Indexer.Manifests;
using Moat.Indexer.SegmentStore;
using Moat.Internal.V1;
using Moat.Segments;
using Moat.Segments.Indexing;
using Moat.Segments.Manifests;
using Moat.Segments.Segments;
using Moat.Storage.ObjectStore;
using Moat.Wal;

namespace Moat.Indexer.Indexing;

/// <summary>
/// Folds a namespace's committed WAL entries into an immutable segment and publishes the next
/// manifest (docs/indexer.md). Safe with any number of indexers racing on one namespace, in this or
/// other processes: a manifest version is created if absent; the loser re-reads the winner and either
/// rebases its segment (the winner only compacted: same watermark, same logical state) or folds again
/// from the winner's watermark. Entries are folded exactly once along the manifest chain because every
/// manifest's watermark is its predecessor's plus the dense run it folded.
/// </summary>
public sealed class NamespaceIndexer
{
    private readonly IObjectStore _store;
    private readonly INamespaceSchemaSource _schemas;
    private readonly ManifestStore _manifests;
    private readonly SegmentObjects _segments;
    private readonly WalReader _wal;
    private readonly IndexerOptions _options;
    private readonly IVectorIndexBuilder? _vectorIndex;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public NamespaceIndexer(IObjectStore store, IServiceKeySource keys, INamespaceSchemaSource schemas, ManifestStore manifests, SegmentObjects segments,
        IndexerOptions options, IVectorIndexBuilder? vectorIndex = null, TimeProvider? timeProvider = null, ILogger<NamespaceIndexer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(schemas);
        ArgumentNullException.ThrowIfNull(manifests);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _store = store;
        _schemas = schemas;
        _manifests = manifests;
        _segments = segments;
        _wal = new WalReader(store, keys.ForPurpose(KeyPurpose.Index));
        _options = options;
        _vectorIndex = vectorIndex;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// One run: latest manifest M (or none) → the dense run of committed entries past M's watermark
    /// (bounded by <see cref="IndexerOptions.MaxEntriesPerRun"/> and <see cref="IndexerOptions.MaxWalBytesPerRun"/>)
    /// → fold over M's segments → a new sealed segment → manifest M + 1. Publishes a true state or
    /// nothing; a store failure throws and leaves at most an unreferenced segment for GC.
    /// </summary>
    public async Task<IndexRunResult> RunOnceAsync(string namespaceId, CancellationToken cancellationToken)
    {
        ManifestStore.CheckNamespace(namespaceId);
        var lostRaces = 0;
        var manifest = await _manifests.GetLatestAsync(namespaceId, KeyPurpose.Index, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var watermark = (long)(manifest?.WalWatermark ?? 0);
            var run = await WalTail.ReadAsync(_store, _wal, namespaceId, watermark, _options.MaxEntriesPerRun, _options.MaxWalBytesPerRun, _options.StoreCallTimeout, cancellationToken).ConfigureAwait(false);
            if (run.GapAfter is { } gap)
            {
                IndexerLog.WalGap(_logger, namespaceId, gap);
            }

            if (run.Entries.Count == 0)
            {
                return new IndexRunResult(IndexRunOutcome.UpToDate, (long)(manifest?.Version ?? 0), watermark, 0, null, false, lostRaces);
            }

            var schema = await _schemas.GetSchemaAsync(namespaceId, cancellationToken).ConfigureAwait(false);
            Func<DocKey, FoldedDocument?> baseLookup = NoBase;
            if (manifest is { Segments.Count: > 0 } && NeedsBase(run.Entries))
            {
                baseLookup = new SegmentStateLookup(await ReadSegmentsAsync(namespaceId, manifest, cancellationToken).ConfigureAwait(false)).Find;
            }

            var folded = WalFold.Fold(run.Entries, baseLookup);
            var toSequence = run.LastSequence(watermark);

            ManifestSegment? segment = null;
            if (folded.Documents.Count > 0 || folded.Tombstones.Count > 0)
            {
                segment = await _segments.WriteAsync(namespaceId, folded, schema, _vectorIndex, KeyPurpose.Index, cancellationToken).ConfigureAwait(false);
                IndexerLog.Folded(_logger, namespaceId, watermark + 1, toSequence, run.Entries.Count, segment.SegmentId, folded.Documents.Count, folded.Tombstones.Count);
            }

            var writtenAt = _time.GetUtcNow();

            // Publish on top of M; after a lost race, rebase onto a winner that only compacted.
            while (true)
            {
                if (segment is not null && _time.GetUtcNow() - writtenAt > _options.ReaderGrace / 2)
                {
                    // GC may collect an unreferenced segment once it is older than the grace: never
                    // publish one that old. Fold again.
                    IndexerLog.SegmentAbandoned(_logger, namespaceId, segment.SegmentId);
                    manifest = await _manifests.GetLatestAsync(namespaceId, KeyPurpose.Index, cancellationToken).ConfigureAwait(false);
                    break;
                }

                var segments = manifest?.Segments.ToList() ?? [];
                if (segment is not null)
                {
                    segments.Add(segment);
                }

                var next = ManifestCodec.Next(manifest, namespaceId, (ulong)toSequence, segments, schema.Version, _time.GetUtcNow());
                if (await _manifests.PublishAsync(next, KeyPurpose.Index, cancellationToken).ConfigureAwait(false) == ManifestPublishOutcome.Published)
                {
                    return new IndexRunResult(IndexRunOutcome.Published, (long)next.Version, toSequence, run.Entries.Count, segment?.SegmentId, run.MoreRemaining, lostRaces);
                }

                lostRaces++;
                var winner = await _manifests.GetLatestAsync(namespaceId, KeyPurpose.Index, cancellationToken).ConfigureAwait(false)
                    ?? throw new ManifestCorruptException($"Manifest {next.Version} of namespace {namespaceId} was taken, but no manifest can be read.");
                if (winner.WalWatermark < (ulong)watermark)
                {
                    throw new ManifestCorruptException($"Manifest {winner.Version} of namespace {namespaceId} has watermark {winner.WalWatermark}, below {watermark} of an earlier manifest.");
                }

                if (lostRaces >= _options.MaxPublishAttempts)
                {
                    if (segment is not null)
                    {
                        IndexerLog.SegmentAbandoned(_logger, namespaceId, segment.SegmentId);
                    }

                    return new IndexRunResult(IndexRunOutcome.GaveUp, (long)winner.Version, (long)winner.WalWatermark, 0, null, true, lostRaces);
                }

                manifest = winner;
                if (winner.WalWatermark != (ulong)watermark)
                {
                    // Another indexer folded (some of) these entries: ours would apply them twice.
                    if (segment is not null)
                    {
                        IndexerLog.SegmentAbandoned(_logger, namespaceId, segment.SegmentId);
                    }

                    break;
                }

                // Same watermark: the winner only compacted, so the logical state our fold started from
                // is unchanged and our segment still holds exactly the entries past it.
            }
        }
    }

    private async Task<List<SegmentReader>> ReadSegmentsAsync(string namespaceId, Manifest manifest, CancellationToken cancellationToken)
    {
        var readers = new List<SegmentReader>(manifest.Segments.Count);
        foreach (var segment in manifest.Segments)
        {
            readers.Add(await _segments.ReadAsync(namespaceId, segment, KeyPurpose.Index, cancellationToken).ConfigureAwait(false));
        }

        return readers;
    }

    /// <summary>Base lookup of a namespace with no segment (or a run of upserts only): nothing exists before the run.</summary>
    private static FoldedDocument? NoBase(DocKey key) => null;

    /// <summary>Only patches and deletes need the state before the run (a patch merges; a delete decides on a tombstone).</summary>
    private static bool NeedsBase(IReadOnlyList<WalEntry> entries)
    {
        foreach (var entry in entries)
        {
            foreach (var write in entry.Writes)
            {
                foreach (var op in write.Operations)
                {
                    if (op.OpCase is WalOperation.OpOneofCase.Patch or WalOperation.OpOneofCase.Delete)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
