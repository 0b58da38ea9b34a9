namespace Moat.Hosting.Errors;

/// <summary>
/// Which capability (and which issue of the plan) each not-yet-built RPC belongs to, so an
/// UNIMPLEMENTED answer tells the caller what is missing instead of a bare status.
/// </summary>
public static class Capabilities
{
    private static readonly Dictionary<string, string> ByMethod = new(StringComparer.Ordinal)
    {
        ["moat.v1.AccessService/ListPendingConnections"] = "the private-endpoint gateway",
        ["moat.v1.AccessService/ListAuditEvents"] = "audit reading and verification",
        ["moat.v1.AccessService/ListAuditDigests"] = "audit reading and verification",
        ["moat.v1.AccessService/ListOperatorAccessRequests"] = "operator access",
        ["moat.v1.AccessService/ApproveOperatorAccess"] = "operator access",
        ["moat.v1.AccessService/DenyOperatorAccess"] = "operator access",
        ["moat.internal.v1.Directory/CheckGrant"] = "operator access",
        ["moat.internal.v1.Directory/GetResidencyPolicy"] = "the region router and residency",
        ["moat.v1.WriteService/UpdateSchema"] = "schema updates",
        ["moat.internal.v1.NamespaceAdmin/StartJob"] = "the job framework (copy, branch, restore, re-encryption)",
        ["moat.internal.v1.NamespaceAdmin/GetJob"] = "the job framework (copy, branch, restore, re-encryption)",
    };

    private static readonly Dictionary<string, string> ByService = new(StringComparer.Ordinal)
    {
        ["moat.v1.WriteService"] = "the write path",
        ["moat.v1.QueryService"] = "the read path",
        ["moat.v1.KeyService"] = "keys and encryption at rest (customer keys)",
        ["moat.v1.RegionService"] = "the region router and residency",
        ["moat.v1.AccessService"] = "access management",
        ["moat.internal.v1.KeyVault"] = "keys and encryption at rest (KeyVault)",
        ["moat.internal.v1.Directory"] = "the namespace directory",
        ["moat.internal.v1.NamespaceAdmin"] = "namespace administration and jobs (the write path)",
        ["moat.internal.v1.SnapshotSource"] = "cross-region copy",
    };

    public static string Of(string fullMethod)
    {
        var (service, method) = Identity.CallPolicy.Split(fullMethod);
        return ByMethod.TryGetValue($"{service}/{method}", out var specific) ? specific
            : ByService.TryGetValue(service, out var capability) ? capability : "a later capability";
    }
}
