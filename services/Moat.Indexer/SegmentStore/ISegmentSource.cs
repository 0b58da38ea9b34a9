using Moat.Indexer.Keys;
using Moat.Internal.V1;
using Moat.Segments.Segments;

namespace Moat.Indexer.SegmentStore;

/// <summary>
/// Opens the segments a manifest names, for a snapshot: <see cref="SegmentObjects"/> reads them
/// whole (the indexer), the query service opens them for range reads.
/// </summary>
public interface ISegmentSource
{
    /// <summary>The segment, opened. Throws <see cref="SegmentMissingException"/> when the object is absent or is not the one named.</summary>
    Task<SegmentReader> ReadAsync(string namespaceId, ManifestSegment segment, KeyPurpose purpose, CancellationToken cancellationToken);
}
