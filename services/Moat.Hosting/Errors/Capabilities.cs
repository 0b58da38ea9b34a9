namespace Moat.Hosting.Errors;

/// <summary>
/// Which capability (and which issue of the plan) each not-yet-built RPC belongs to, so an
/// UNIMPLEMENTED answer tells the caller what is missing instead of a bare status.
/// </summary>
public static class Capabilities
{
    private static readonly Dictionary<string, string> ByService = new(StringComparer.Ordinal)
    {
        ["moat.v1.WriteService"] = "the write path",
        ["moat.v1.QueryService"] = "the read path",
        ["moat.v1.KeyService"] = "keys and encryption at rest (customer keys)",
        ["moat.v1.RegionService"] = "the region router and residency",
        ["moat.v1.AccessService"] = "access management (API keys, endpoints, audit, operator access)",
        ["moat.internal.v1.KeyVault"] = "keys and encryption at rest (KeyVault)",
        ["moat.internal.v1.Directory"] = "the namespace directory",
        ["moat.internal.v1.NamespaceAdmin"] = "namespace administration and jobs",
        ["moat.internal.v1.SnapshotSource"] = "cross-region copy",
    };

    public static string Of(string fullMethod)
    {
        var (service, _) = Identity.CallPolicy.Split(fullMethod);
        return ByService.TryGetValue(service, out var capability) ? capability : "a later capability";
    }
}
