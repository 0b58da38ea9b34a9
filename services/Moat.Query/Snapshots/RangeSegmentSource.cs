using System.Runtime.CompilerServices;
using Moat.Indexer.Keys;
using Moat.Indexer.SegmentStore;
using Moat.Internal.V1;
using Moat.Segments.Segments;
using Moat.Storage;
using Moat.Storage.ObjectStore;

namespace Moat.Query.Snapshots;

/// <summary>
/// The query service's way of opening the segments a manifest names: for range reads
/// (<see cref="RangeSegment"/>), not whole. Each opened segment is remembered against its reader, so
/// the cache finds the <see cref="RangeSegment"/> behind a snapshot's segment.
/// </summary>
internal sealed class RangeSegmentSource(IObjectStore store, IServiceKeySource keys, ConditionalWeakTable<SegmentReader, RangeSegment> opened, TimeSpan callTimeout) : ISegmentSource
{
    /// <summary>Segments opened by this source (the rest were reused from the previous snapshot).</summary>
    public int Opened { get; private set; }

    public async Task<SegmentReader> ReadAsync(string namespaceId, ManifestSegment segment, KeyPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var key = StoragePaths.Segment(namespaceId, segment.SegmentId);
        if (segment.ObjectPath.Length > 0 && segment.ObjectPath != key)
        {
            throw new SegmentMissingException($"Manifest entry of segment '{segment.SegmentId}' names the path '{segment.ObjectPath}', not '{key}'.");
        }

        var ranged = await RangeSegment.OpenAsync(store, key, segment, namespaceId, keys.DataKeys(namespaceId, purpose), callTimeout, cancellationToken).ConfigureAwait(false);
        opened.AddOrUpdate(ranged.Reader, ranged);
        Opened++;
        return ranged.Reader;
    }
}
