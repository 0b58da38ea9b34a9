using Microsoft.Extensions.Logging;

namespace Moat.Wal;

/// <summary>Log events of the WAL (no customer data: namespace ids and sequences only).</summary>
internal static partial class WalLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "WAL {NamespaceId}: sequence {Sequence} was taken by another writer; retrying the batch of {Writes} writes at the next free sequence")]
    public static partial void LostRace(ILogger logger, string namespaceId, long sequence, int writes);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "WAL {NamespaceId}: the put at sequence {Sequence} got no answer; reading it back")]
    public static partial void PutUnanswered(ILogger logger, string namespaceId, long sequence, Exception exception);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "WAL {NamespaceId}: a batch of {Writes} writes failed at sequence {Sequence} (may have been applied: {MayHaveBeenApplied})")]
    public static partial void CommitFailed(ILogger logger, string namespaceId, long sequence, int writes, bool mayHaveBeenApplied, Exception exception);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Debug, Message = "WAL {NamespaceId}: next sequence is {Sequence}")]
    public static partial void TailFound(ILogger logger, string namespaceId, long sequence);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Error, Message = "WAL {NamespaceId}: a commit listener failed after sequence {Sequence}; the commit stands")]
    public static partial void ListenerFailed(ILogger logger, string namespaceId, long sequence, Exception exception);
}
