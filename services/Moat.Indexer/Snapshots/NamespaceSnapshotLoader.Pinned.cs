using Moat.Indexer.Indexing;
using Moat.Indexer.Keys;
using Moat.Indexer.Manifests;
using Moat.Internal.V1;
using Moat.Wal;

namespace Moat.Indexer.Snapshots;

public sealed partial class NamespaceSnapshotLoader
{
    /// <summary>
    /// The snapshot a reader saw earlier, pinned by its manifest version and last WAL sequence (an
    /// Export resumed from its cursor): that manifest's segments plus the WAL entries up to
    /// <paramref name="walSequence"/>. Throws <see cref="SnapshotInconsistentException"/> when the
    /// manifest or an entry has been collected since (past the reader grace / WAL retention).
    /// </summary>
    public async Task<NamespaceSnapshot> LoadPinnedAsync(string namespaceId, long manifestVersion, ulong walSequence, KeyPurpose purpose, CancellationToken cancellationToken)
    {
        ManifestStore.CheckNamespace(namespaceId);
        Manifest? manifest = null;
        if (manifestVersion > 0)
        {
            manifest = await _manifests.ReadAsync(namespaceId, manifestVersion, purpose, cancellationToken).ConfigureAwait(false)
                ?? throw new SnapshotInconsistentException($"Manifest {manifestVersion} of namespace {namespaceId} has been collected.");
        }

        var watermark = manifest?.WalWatermark ?? 0;
        if (walSequence < watermark)
        {
            throw new SnapshotInconsistentException($"WAL sequence {walSequence} is below manifest {manifestVersion}'s watermark {watermark}.");
        }

        var segments = await OpenSegmentsAsync(namespaceId, manifest, previous: null, purpose, cancellationToken).ConfigureAwait(false);
        var tail = new List<WalEntry>();
        if (walSequence > watermark)
        {
            var wal = new WalReader(_store, _keys.ForPurpose(purpose));
            var run = await WalTail.ReadAsync(_store, wal, namespaceId, (long)watermark, (int)(walSequence - watermark), long.MaxValue, _callTimeout, cancellationToken).ConfigureAwait(false);
            tail.AddRange(run.Entries.Where(e => e.Sequence <= walSequence));
            if (tail.Count != (int)(walSequence - watermark) || run.GapAfter is not null)
            {
                throw new SnapshotInconsistentException($"WAL entries of namespace {namespaceId} up to {walSequence} are no longer all present.");
            }
        }

        return new NamespaceSnapshot(namespaceId, manifest, segments, tail);
    }
}
