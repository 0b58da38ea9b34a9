namespace Moat.Audit;

/// <summary>
/// What an audited event was (DESIGN section 10). Values equal <c>moat.internal.v1.AuditEventKind</c>.
/// <see cref="Authentication"/> and read-path <see cref="KeyUse"/> are recorded aggregated
/// (<see cref="AuditWriter.Record"/>); every other kind is state-changing and appended durably
/// (<see cref="AuditWriter.AppendDurableAsync"/>).
/// </summary>
public enum AuditEventKind
{
    /// <summary>An authentication decision (API key, principal token, mTLS identity).</summary>
    Authentication = 1,

    /// <summary>A private-endpoint or listener decision.</summary>
    EndpointDecision = 2,

    /// <summary>A key operation: create, rotate, disable, enable, schedule or cancel destruction, destroy.</summary>
    KeyOperation = 3,

    /// <summary>A use of a key (a data key released or unwrapped).</summary>
    KeyUse = 4,

    NamespaceCreate = 5,
    NamespaceDelete = 6,
    NamespaceCopy = 7,
    NamespaceBranch = 8,
    NamespaceRestore = 9,

    /// <summary>An API key created, changed or revoked.</summary>
    ApiKeyChange = 10,

    /// <summary>An org or namespace setting changed.</summary>
    SettingChange = 11,

    /// <summary>An org created or changed.</summary>
    OrgChange = 12,

    /// <summary>Bootstrap of an org or of the deployment.</summary>
    Bootstrap = 13,

    /// <summary>An operator asked for access.</summary>
    OperatorRequest = 14,

    /// <summary>An org admin approved (or refused) an operator request.</summary>
    OperatorApproval = 15,

    /// <summary>An operator acted under a grant.</summary>
    OperatorAction = 16,

    /// <summary>An export started, progressed or finished.</summary>
    Export = 17,

    /// <summary>A break-glass action (e.g. restoring the key store from a backup).</summary>
    BreakGlass = 18,
}
