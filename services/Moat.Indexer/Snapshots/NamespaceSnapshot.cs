using Moat.Indexer.Indexing;
using Moat.Internal.V1;
using Moat.Segments;
using Moat.Segments.Indexing;
using Moat.Segments.Segments;

namespace Moat.Indexer.Snapshots;

/// <summary>One segment of a snapshot: its manifest entry and the opened (unsealed) segment.</summary>
public sealed record SnapshotSegment(ManifestSegment Entry, SegmentReader Reader);

/// <summary>
/// An immutable view of a namespace for readers: the latest manifest, its segments oldest first
/// (newer shadow older; per id the highest sequence wins), and the committed WAL entries past the
/// manifest's watermark (strong consistency: apply them on top, in order).
/// </summary>
public sealed class NamespaceSnapshot
{
    internal NamespaceSnapshot(string namespaceId, Manifest? manifest, IReadOnlyList<SnapshotSegment> segments, IReadOnlyList<WalEntry> tail)
    {
        NamespaceId = namespaceId;
        Manifest = manifest;
        Segments = segments;
        Tail = tail;
        Watermark = manifest?.WalWatermark ?? 0;
        Version = tail.Count > 0 ? tail[^1].Sequence : Watermark;
    }

    public string NamespaceId { get; }

    /// <summary>The manifest the snapshot was built from; null when nothing is indexed yet.</summary>
    public Manifest? Manifest { get; }

    /// <summary>The manifest's segments, oldest first.</summary>
    public IReadOnlyList<SnapshotSegment> Segments { get; }

    /// <summary>Committed WAL entries past <see cref="Watermark"/>, in sequence order, dense.</summary>
    public IReadOnlyList<WalEntry> Tail { get; }

    /// <summary>The manifest's WAL watermark (0 without a manifest).</summary>
    public ulong Watermark { get; }

    /// <summary>The namespace version this snapshot shows: the last WAL sequence seen (tail's last, else the watermark).</summary>
    public ulong Version { get; }

    /// <summary>The state of the segments alone, per id (for lookups over the snapshot's segments).</summary>
    public SegmentStateLookup SegmentState => new([.. Segments.Select(s => s.Reader)]);

    /// <summary>
    /// Every live document of the snapshot, by id: the segments merged, then the tail folded on top.
    /// A reference reading (it materialises everything): for tests, exports of small namespaces and
    /// checks, not for serving queries.
    /// </summary>
    public IReadOnlyDictionary<DocKey, FoldedDocument> Materialize()
    {
        var merged = SegmentMerge.Merge(Segments.Select(s => s.Reader), dropTombstones: true);
        var state = merged.Documents.ToDictionary(d => d.Key);
        if (Tail.Count > 0)
        {
            var tail = WalFold.Fold(Tail, key => state.GetValueOrDefault(key));
            foreach (var t in tail.Tombstones)
            {
                state.Remove(t.Key);
            }

            foreach (var d in tail.Documents)
            {
                state[d.Key] = d;
            }
        }

        return state;
    }
}
