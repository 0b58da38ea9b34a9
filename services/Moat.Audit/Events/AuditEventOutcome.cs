namespace Moat.Audit;

/// <summary>Outcome of an audited event. Values equal <c>moat.v1.AuditOutcome</c>.</summary>
public enum AuditEventOutcome
{
    /// <summary>Allowed and done.</summary>
    Success = 1,

    /// <summary>Refused (authentication, authorization, endpoint, residency, key state).</summary>
    Denied = 2,

    /// <summary>Allowed but failed.</summary>
    Failed = 3,
}
