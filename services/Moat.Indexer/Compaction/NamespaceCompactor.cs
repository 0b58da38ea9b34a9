using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moat.Indexer.Configuration;
using Moat.Indexer.Indexing;
using Moat.Indexer.Manifests;
using Moat.Indexer.SegmentStore;
using Moat.Internal.V1;
using Moat.Segments.Indexing;
using Moat.Segments.Manifests;
using Moat.Segments.Segments;

namespace Moat.Indexer.Compaction;

/// <summary>
/// Merges a run of small segments into one and publishes a manifest that replaces the run
/// (docs/indexer.md). The watermark does not move and the logical state is unchanged, so racing
/// with indexing is safe: on a lost manifest race the merge is rebased onto the winner when the run
/// is still there, contiguous and (if tombstones were dropped) still the oldest; otherwise it is abandoned.
/// </summary>
public sealed class NamespaceCompactor
{
    private readonly INamespaceSchemaSource _schemas;
    private readonly ManifestStore _manifests;
    private readonly SegmentObjects _segments;
    private readonly IndexerOptions _options;
    private readonly IVectorIndexBuilder? _vectorIndex;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public NamespaceCompactor(INamespaceSchemaSource schemas, ManifestStore manifests, SegmentObjects segments, IndexerOptions options,
        IVectorIndexBuilder? vectorIndex = null, TimeProvider? timeProvider = null, ILogger<NamespaceCompactor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(schemas);
        ArgumentNullException.ThrowIfNull(manifests);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _schemas = schemas;
        _manifests = manifests;
        _segments = segments;
        _options = options;
        _vectorIndex = vectorIndex;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Compacts once when the latest manifest has more than <see cref="IndexerOptions.MaxSmallSegments"/> small segments.</summary>
    public async Task<CompactionResult> CompactOnceAsync(string namespaceId, CancellationToken cancellationToken)
    {
        ManifestStore.CheckNamespace(namespaceId);
        var manifest = await _manifests.GetLatestAsync(namespaceId, KeyPurpose.Compact, cancellationToken).ConfigureAwait(false);
        var plan = manifest is null ? null : CompactionPlan.For(manifest, _options);
        if (manifest is null || plan is null)
        {
            return new CompactionResult(CompactionOutcome.NotNeeded, 0, 0, null, false);
        }

        return await CompactAsync(manifest, plan, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Merges the run <paramref name="plan"/> names in <paramref name="manifest"/> and publishes the replacement.</summary>
    internal async Task<CompactionResult> CompactAsync(Manifest manifest, CompactionPlan plan, CancellationToken cancellationToken)
    {
        var namespaceId = manifest.NamespaceId;
        var run = manifest.Segments.Skip(plan.Start).Take(plan.Count).ToList();
        var inputs = new List<FoldResult>(run.Count);
        foreach (var entry in run)
        {
            var reader = await _segments.ReadAsync(namespaceId, entry, KeyPurpose.Compact, cancellationToken).ConfigureAwait(false);
            inputs.Add(reader.ReadAll());
        }

        var merged = SegmentMerge.Merge(inputs, plan.DropTombstones);
        ManifestSegment? segment = null;
        if (merged.Documents.Count > 0 || merged.Tombstones.Count > 0)
        {
            var schema = await _schemas.GetSchemaAsync(namespaceId, cancellationToken).ConfigureAwait(false);
            segment = await _segments.WriteAsync(namespaceId, merged, schema, _vectorIndex, KeyPurpose.Compact, cancellationToken).ConfigureAwait(false);
        }

        var writtenAt = _time.GetUtcNow();
        var runIds = run.ConvertAll(s => s.SegmentId);
        var current = manifest;
        for (var attempt = 1; ; attempt++)
        {
            var start = FindRun(current, runIds);
            if (start < 0 || (plan.DropTombstones && start != 0) || _time.GetUtcNow() - writtenAt > _options.ReaderGrace / 2 || attempt > _options.MaxPublishAttempts)
            {
                if (segment is not null)
                {
                    IndexerLog.SegmentAbandoned(_logger, namespaceId, segment.SegmentId);
                }

                return new CompactionResult(CompactionOutcome.Abandoned, 0, run.Count, null, plan.DropTombstones);
            }

            var segments = current.Segments.ToList();
            segments.RemoveRange(start, runIds.Count);
            if (segment is not null)
            {
                segments.Insert(start, segment);
            }

            var next = ManifestCodec.Next(current, namespaceId, current.WalWatermark, segments, current.SchemaVersion, _time.GetUtcNow());
            if (await _manifests.PublishAsync(next, KeyPurpose.Compact, cancellationToken).ConfigureAwait(false) == ManifestPublishOutcome.Published)
            {
                IndexerLog.Compacted(_logger, namespaceId, run.Count, segment?.SegmentId ?? "(none)", plan.DropTombstones, (long)next.Version);
                return new CompactionResult(CompactionOutcome.Published, (long)next.Version, run.Count, segment?.SegmentId, plan.DropTombstones);
            }

            current = await _manifests.GetLatestAsync(namespaceId, KeyPurpose.Compact, cancellationToken).ConfigureAwait(false)
                ?? throw new ManifestCorruptException($"Manifest {next.Version} of namespace {namespaceId} was taken, but no manifest can be read.");
        }
    }

    /// <summary>Where the run of segment ids starts in <paramref name="manifest"/>, contiguous and in order; -1 when it is not there.</summary>
    private static int FindRun(Manifest manifest, List<string> runIds)
    {
        var segments = manifest.Segments;
        for (var i = 0; i + runIds.Count <= segments.Count; i++)
        {
            if (segments[i].SegmentId != runIds[0])
            {
                continue;
            }

            for (var k = 1; k < runIds.Count; k++)
            {
                if (segments[i + k].SegmentId != runIds[k])
                {
                    return -1;
                }
            }

            return i;
        }

        return -1;
    }
}
