using System.Globalization;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Keys.Client;
using Moat.Storage.Namespaces;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.V1;
using Moat.Wal;

namespace Moat.Write.Writes;

/// <summary>The write path's failures as the domain errors a client acts on (docs/write.md, "Errors").</summary>
internal static class WriteErrors
{
    public const string ByFilterCapability = "by-filter writes and per-document write conditions";

    public static MoatException NamespaceNotFound(string name) =>
        new(StatusCode.NotFound, ErrorReason.NamespaceNotFound, "no namespace with this name exists; create it (CreateNamespace, or a write with create_config)",
            new Dictionary<string, string> { ["namespace"] = name });

    public static MoatException NotBuilt(string field) =>
        new(StatusCode.Unimplemented, ErrorReason.CapabilityNotBuilt, $"{field} is not built yet: it belongs to {ByFilterCapability}.",
            new Dictionary<string, string> { ["capability"] = ByFilterCapability, ["field"] = field });

    /// <summary>A failure of the WAL (or of what it calls) as the caller sees it.</summary>
    public static Exception FromWal(Exception e) => e switch
    {
        MoatException moat => moat,
        WalQueueFullException full => new MoatException(StatusCode.ResourceExhausted, ErrorReason.WriteQueueFull, full.Message,
            new Dictionary<string, string> { ["retry_after_ms"] = "50" }),
        WalConditionFailedException condition => new MoatException(StatusCode.FailedPrecondition, ErrorReason.ConditionFailed,
            $"the namespace version is {condition.CurrentVersion}, not the expected {condition.ExpectedVersion}; nothing was applied",
            new Dictionary<string, string> { ["current_version"] = condition.CurrentVersion.ToString(CultureInfo.InvariantCulture) }),
        WalCommitException commit when KeyRefusal(commit) is { } refused => refused,
        WalCommitException commit => new MoatException(StatusCode.Unavailable, ErrorReason.UpstreamUnavailable,
            commit.MayHaveBeenApplied
                ? "the write may or may not have been committed (the object store's answer was lost); retry it with the same idempotency key"
                : "the write was not committed (the object store is unavailable); retry",
            new Dictionary<string, string>
            {
                ["dependency"] = "object-store",
                ["may_have_been_applied"] = commit.MayHaveBeenApplied ? "true" : "false",
            }),
        ObjectDisposedException => new MoatException(StatusCode.Unavailable, ErrorReason.UpstreamUnavailable, "the write service is stopping; retry",
            new Dictionary<string, string> { ["dependency"] = "write", ["may_have_been_applied"] = "false" }),
        _ => FromStore(e),
    };

    /// <summary>A failure reading or writing the store (meta, WAL read back) as the caller sees it; anything else unchanged.</summary>
    public static Exception FromStore(Exception e) => e switch
    {
        MoatException moat => moat,
        SealedObjectIntegrityException or NamespaceMetaFormatException or WalCorruptException => new MoatException(StatusCode.DataLoss, ErrorReason.IntegrityFailure,
            "a stored object of the namespace failed authentication or does not parse; nothing from it was used",
            new Dictionary<string, string> { ["correlation_id"] = Guid.NewGuid().ToString("N") }),
        ObjectStoreException => new MoatException(StatusCode.Unavailable, ErrorReason.UpstreamUnavailable, "the object store is unavailable; retry",
            new Dictionary<string, string> { ["dependency"] = "object-store" }),
        _ => e,
    };

    // A seal refused because the key became unusable: the caller gets KeyVault's reason (the batch was not applied).
    private static MoatException? KeyRefusal(WalCommitException commit)
    {
        for (Exception? inner = commit.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is MoatException moat && !commit.MayHaveBeenApplied)
            {
                return moat;
            }
        }

        return null;
    }
}
