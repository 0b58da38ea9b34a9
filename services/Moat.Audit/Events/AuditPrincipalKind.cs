namespace Moat.Audit;

/// <summary>Kind of principal behind an event. Values equal <c>moat.internal.v1.AuditPrincipalKind</c>.</summary>
public enum AuditPrincipalKind
{
    /// <summary>A customer API key of an org.</summary>
    ApiKey = 1,

    /// <summary>A Moat operator (with a grant when touching data).</summary>
    Operator = 2,

    /// <summary>A Moat service identity (SPIFFE id).</summary>
    Service = 3,

    /// <summary>A job of a recorded operation.</summary>
    Job = 4,

    /// <summary>Not authenticated (failed authentication attempts).</summary>
    Anonymous = 5,

    /// <summary>Counted in an overflow aggregate: too many distinct principals in one window to name each.</summary>
    Unattributed = 6,
}
