namespace Moat.Indexer.Collection;

/// <summary>What one GC pass deleted in a namespace.</summary>
/// <param name="WalEntriesDeleted">Folded WAL entries past their retention.</param>
/// <param name="SegmentsDeleted">Segments no protected manifest references, older than the grace.</param>
/// <param name="ManifestsDeleted">Manifests superseded longer than the grace ago, beyond the newest kept.</param>
public sealed record CollectionResult(int WalEntriesDeleted, int SegmentsDeleted, int ManifestsDeleted)
{
    public int Total => WalEntriesDeleted + SegmentsDeleted + ManifestsDeleted;
}
