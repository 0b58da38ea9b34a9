using Moat.Audit;
using ErrorReason = Moat.V1.ErrorReason;

namespace Moat.Gateway.Audit;

/// <summary>
/// The gateway's authentication decisions, aggregated per key, outcome and minute and flushed
/// within seconds (DESIGN section 10), into the gateway's own chain sealed under the org's audit
/// keyring from KeyVault. A failure that names no org goes to the "_unknown" chain.
/// </summary>
public sealed class GatewayAudit
{
    private readonly AuditWriter _writer;

    public GatewayAudit(AuditWriter writer)
    {
        _writer = writer;
    }

    public void Authenticated(string? org, string? keyId, string method, string endpointId, ErrorReason reason) =>
        _writer.Record(AuditEvents.Authentication(org, keyId, endpointId, reason, method));
}
