namespace Moat.Indexer.Compaction;

/// <summary>What one compaction did.</summary>
public enum CompactionOutcome
{
    /// <summary>No manifest, or not more small segments than allowed.</summary>
    NotNeeded,

    /// <summary>A manifest replacing the merged run by one segment was published.</summary>
    Published,

    /// <summary>The run changed under a racing writer (another compaction took part of it); nothing published. The merged segment is left for GC.</summary>
    Abandoned,
}

/// <summary>The result of <see cref="NamespaceCompactor.CompactOnceAsync"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="ManifestVersion">The published manifest version (0 unless published).</param>
/// <param name="InputSegments">Segments merged.</param>
/// <param name="SegmentId">The merged segment (null when the merge left nothing: every row was deleted).</param>
/// <param name="DroppedTombstones">True when the run included the oldest segment, so tombstones were dropped.</param>
public sealed record CompactionResult(CompactionOutcome Outcome, long ManifestVersion, int InputSegments, string? SegmentId, bool DroppedTombstones);
