namespace Moat.Indexer.Manifests;

/// <summary>What publishing a manifest version turned out to be.</summary>
public enum ManifestPublishOutcome
{
    /// <summary>Our manifest is the one at that version.</summary>
    Published,

    /// <summary>Another writer's manifest holds that version; ours can never land there. Re-read and re-plan.</summary>
    LostRace,
}
