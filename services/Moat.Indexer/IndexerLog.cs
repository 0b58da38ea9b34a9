using Microsoft.Extensions.Logging;

namespace Moat.Indexer;

/// <summary>Log events of the indexer (no customer data: namespace ids, versions, sequences and counts only).</summary>
internal static partial class IndexerLog
{
    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Indexer {NamespaceId}: published manifest {Version} (watermark {Watermark}, {Segments} segments)")]
    public static partial void ManifestPublished(ILogger logger, string namespaceId, long version, long watermark, int segments);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Debug, Message = "Indexer {NamespaceId}: manifest {Version} was published by another writer; re-planning")]
    public static partial void ManifestRaceLost(ILogger logger, string namespaceId, long version);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Debug, Message = "Indexer {NamespaceId}: folded WAL {FromSequence}..{ToSequence} ({Entries} entries) into segment {SegmentId} ({Rows} rows, {Tombstones} tombstones)")]
    public static partial void Folded(ILogger logger, string namespaceId, long fromSequence, long toSequence, int entries, string segmentId, int rows, int tombstones);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Information, Message = "Indexer {NamespaceId}: the WAL has a gap after sequence {Sequence}; folding only up to it")]
    public static partial void WalGap(ILogger logger, string namespaceId, long sequence);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Debug, Message = "Indexer {NamespaceId}: segment {SegmentId} is not published (left for GC)")]
    public static partial void SegmentAbandoned(ILogger logger, string namespaceId, string segmentId);

    [LoggerMessage(EventId = 4206, Level = LogLevel.Information, Message = "Compaction {NamespaceId}: merged {Inputs} segments into {SegmentId} (tombstones dropped: {DroppedTombstones}) in manifest {Version}")]
    public static partial void Compacted(ILogger logger, string namespaceId, int inputs, string segmentId, bool droppedTombstones, long version);

    [LoggerMessage(EventId = 4207, Level = LogLevel.Information, Message = "GC {NamespaceId}: deleted {WalEntries} WAL entries, {Segments} segments, {Manifests} manifests")]
    public static partial void Collected(ILogger logger, string namespaceId, int walEntries, int segments, int manifests);

    [LoggerMessage(EventId = 4208, Level = LogLevel.Warning, Message = "Indexer {NamespaceId}: {Work} failed (attempt {Attempt}); retrying in {Delay}")]
    public static partial void WorkFailed(ILogger logger, string namespaceId, string work, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 4209, Level = LogLevel.Error, Message = "Indexer scheduler: the sweep failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
