using Moat.Internal.V1;

namespace Moat.Keys.Audit;

/// <summary>The outcome of a key operation or key use.</summary>
public enum KeyAuditOutcome
{
    Allowed,
    Refused,
    Failed,
}

/// <summary>
/// One KeyVault or KeyService call as audit sees it (DESIGN section 10): who called, for whom,
/// which org, namespace, key and version, why, and the outcome. Identifiers only: never key
/// material or customer data.
/// </summary>
public sealed record KeyAuditEvent(
    string Operation,
    string Caller,
    string PrincipalKind,
    string PrincipalId,
    string Org,
    string NamespaceId,
    string KeyId,
    long KeyVersion,
    KeyPurpose Purpose,
    KeyAuditOutcome Outcome,
    string Reason);
