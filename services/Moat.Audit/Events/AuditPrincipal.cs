namespace Moat.Audit;

/// <summary>
/// Who acted: an API key of an org, an operator (and grant), a service identity (SPIFFE id), a job,
/// or nobody authenticated. Built only through the factory methods, so each kind carries exactly
/// the ids it should.
/// </summary>
public sealed record AuditPrincipal
{
    private AuditPrincipal(AuditPrincipalKind kind)
    {
        Kind = kind;
    }

    /// <summary>Nobody authenticated (a failed authentication attempt).</summary>
    public static AuditPrincipal Anonymous { get; } = new(AuditPrincipalKind.Anonymous);

    /// <summary>The principal of overflow aggregates (too many distinct principals in one window).</summary>
    public static AuditPrincipal Unattributed { get; } = new(AuditPrincipalKind.Unattributed);

    public AuditPrincipalKind Kind { get; }

    /// <summary>Org of an API key.</summary>
    public AuditIdentifier? Org { get; private init; }

    /// <summary>API key id (<see cref="AuditPrincipalKind.ApiKey"/>).</summary>
    public AuditIdentifier? ApiKeyId { get; private init; }

    /// <summary>Operator id (<see cref="AuditPrincipalKind.Operator"/>).</summary>
    public AuditIdentifier? OperatorId { get; private init; }

    /// <summary>Grant id of an operator acting under a grant.</summary>
    public AuditIdentifier? GrantId { get; private init; }

    /// <summary>SPIFFE id of a service (<see cref="AuditPrincipalKind.Service"/>).</summary>
    public AuditIdentifier? ServiceId { get; private init; }

    /// <summary>Operation id of a job (<see cref="AuditPrincipalKind.Job"/>).</summary>
    public AuditIdentifier? OperationId { get; private init; }

    /// <summary>An org's API key.</summary>
    public static AuditPrincipal ApiKey(AuditIdentifier org, AuditIdentifier apiKeyId)
    {
        ArgumentNullException.ThrowIfNull(org);
        ArgumentNullException.ThrowIfNull(apiKeyId);
        return new(AuditPrincipalKind.ApiKey) { Org = org, ApiKeyId = apiKeyId };
    }

    /// <summary>An operator, with the grant it acts under when it touches data.</summary>
    public static AuditPrincipal Operator(AuditIdentifier operatorId, AuditIdentifier? grantId = null)
    {
        ArgumentNullException.ThrowIfNull(operatorId);
        return new(AuditPrincipalKind.Operator) { OperatorId = operatorId, GrantId = grantId };
    }

    /// <summary>A service identity, e.g. <c>spiffe://moat.internal/region/eu-1/write</c>.</summary>
    public static AuditPrincipal Service(AuditIdentifier spiffeId)
    {
        ArgumentNullException.ThrowIfNull(spiffeId);
        return new(AuditPrincipalKind.Service) { ServiceId = spiffeId };
    }

    /// <summary>A job of a recorded operation.</summary>
    public static AuditPrincipal Job(AuditIdentifier operationId)
    {
        ArgumentNullException.ThrowIfNull(operationId);
        return new(AuditPrincipalKind.Job) { OperationId = operationId };
    }

    /// <summary>Rebuilds a principal read from the store (kind and ids as recorded).</summary>
    internal static AuditPrincipal Restore(AuditPrincipalKind kind, AuditIdentifier? org, AuditIdentifier? apiKeyId,
        AuditIdentifier? operatorId, AuditIdentifier? grantId, AuditIdentifier? serviceId, AuditIdentifier? operationId) =>
        new(kind)
        {
            Org = org,
            ApiKeyId = apiKeyId,
            OperatorId = operatorId,
            GrantId = grantId,
            ServiceId = serviceId,
            OperationId = operationId,
        };
}
