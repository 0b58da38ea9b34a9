namespace Moat.Indexer.Indexing;

/// <summary>What one indexing run did.</summary>
public enum IndexRunOutcome
{
    /// <summary>No committed entry past the latest manifest's watermark: nothing to do.</summary>
    UpToDate,

    /// <summary>A new manifest with a higher watermark was published by this run.</summary>
    Published,

    /// <summary>Every attempt lost the manifest race (others kept publishing); nothing of this run is published.</summary>
    GaveUp,
}

/// <summary>The result of <see cref="NamespaceIndexer.RunOnceAsync"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="ManifestVersion">The latest manifest version this run knows of (its own when published; 0 = none).</param>
/// <param name="Watermark">That manifest's WAL watermark.</param>
/// <param name="EntriesFolded">WAL entries folded into the published manifest (0 unless published).</param>
/// <param name="SegmentId">The new segment, when one was published (a run whose entries change nothing publishes no segment).</param>
/// <param name="MoreRemaining">The run stopped at a bound: more committed entries wait; run again.</param>
/// <param name="LostRaces">Manifest versions lost to other writers during the run.</param>
public sealed record IndexRunResult(IndexRunOutcome Outcome, long ManifestVersion, long Watermark, int EntriesFolded, string? SegmentId, bool MoreRemaining, int LostRaces);
