using Moat.Indexer.Manifests;
using Moat.Indexer.SegmentStore;
using Moat.Indexer.Snapshots;
using Moat.Indexer.Store;
using Moat.Segments;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.Wal;

namespace Moat.Indexer.Scheduling;

/// <summary>
/// What of a failure may go to the log: exceptions whose messages name only keys, versions and
/// sequences pass; any other (a segment-format error can quote a document id or an attribute; a
/// host's key source is unknown to us) is reduced to its type name.
/// </summary>
internal static class SafeError
{
    public static Exception ForLog(Exception exception) => exception switch
    {
        ObjectStoreException or SealedObjectIntegrityException or ManifestPublishException or ManifestCorruptException
            or SegmentMissingException or SnapshotInconsistentException or CreateOutcomeUnknownException or WalCorruptException
            or FormatVersionException or TimeoutException or OperationCanceledException => exception,
        _ => new RedactedException(exception.GetType().FullName ?? exception.GetType().Name),
    };

    /// <summary>Stands in for an exception whose message may hold customer data.</summary>
    private sealed class RedactedException(string type) : Exception($"{type} (message withheld: it may name customer data)");
}
