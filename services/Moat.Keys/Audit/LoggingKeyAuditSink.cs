using Moat.Internal.V1;

namespace Moat.Keys.Audit;

/// <summary>The interim audit sink: one structured log event per key call (no key material, ever).</summary>
public sealed partial class LoggingKeyAuditSink : IKeyAuditSink
{
    private readonly ILogger<LoggingKeyAuditSink> _logger;

    public LoggingKeyAuditSink(ILogger<LoggingKeyAuditSink> logger)
    {
        _logger = logger;
    }

    public ValueTask RecordAsync(KeyAuditEvent e, CancellationToken cancellationToken)
    {
        LogKeyEvent(_logger, e.Operation, e.Outcome, e.Caller, e.PrincipalKind, e.PrincipalId, e.Org, e.NamespaceId, e.KeyId, e.KeyVersion, e.Purpose, e.Reason);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "key-audit {Operation} {Outcome} caller={Caller} principal={PrincipalKind}:{PrincipalId} org={Org} ns={NamespaceId} key={KeyId} v={KeyVersion} purpose={Purpose} reason={Reason}")]
    private static partial void LogKeyEvent(ILogger logger, string operation, KeyAuditOutcome outcome, string caller, string principalKind, string principalId, string org, string namespaceId, string keyId, long keyVersion, KeyPurpose purpose, string reason);
}
