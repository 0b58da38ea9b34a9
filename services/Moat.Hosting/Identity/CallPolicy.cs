namespace Moat.Hosting.Identity;

/// <summary>Which region a caller must be in, relative to the server.</summary>
public enum RegionRelation
{
    /// <summary>The caller serves the server's region.</summary>
    Same,

    /// <summary>Any region (the router is global; gateways of every region call it).</summary>
    Any,

    /// <summary>A region other than the server's (cross-region copy only).</summary>
    Other,
}

/// <summary>One kind of caller a rule admits: a service (in a region relation) or any operator.</summary>
public sealed record CallerRule(string? Service, RegionRelation Region, bool Operator = false)
{
    public static CallerRule SameRegion(string service) => new(service, RegionRelation.Same);

    public static CallerRule AnyRegion(string service) => new(service, RegionRelation.Any);

    public static CallerRule OtherRegion(string service) => new(service, RegionRelation.Other);

    public static CallerRule AnyServiceSameRegion { get; } = new(null, RegionRelation.Same);

    public static CallerRule AnyService { get; } = new(null, RegionRelation.Any);

    public static CallerRule AnyOperator { get; } = new(null, RegionRelation.Any, Operator: true);

    public bool Admits(SpiffeId caller, string serverRegion)
    {
        if (Operator)
        {
            return caller.Kind == SpiffeIdKind.Operator;
        }

        if (caller.Kind != SpiffeIdKind.Service || (Service is not null && caller.Name != Service))
        {
            return false;
        }

        return Region switch
        {
            RegionRelation.Same => caller.Region == serverRegion,
            RegionRelation.Other => caller.Region != serverRegion && caller.Region != MoatServices.GlobalRegion,
            _ => true,
        };
    }
}

/// <summary>A row of the call matrix: who may call a gRPC service, or one method of it.</summary>
/// <param name="GrpcService">Full service name, e.g. <c>moat.internal.v1.KeyVault</c>.</param>
/// <param name="Method">A method name, or <c>*</c> for every method without a row of its own.</param>
public sealed record CallRow(string GrpcService, string Method, IReadOnlyList<CallerRule> Callers);

/// <summary>
/// The call matrix of DESIGN section 9, as data, in one place. Services enforce it per RPC; the
/// deployment derives its NetworkPolicies from it. A method row replaces the service's wildcard row.
/// A service or method without a row admits nobody.
/// </summary>
public static class CallPolicy
{
    public const string Wildcard = "*";

    public static IReadOnlyList<CallRow> Matrix { get; } =
    [
        new("moat.internal.v1.KeyVault", Wildcard, [CallerRule.SameRegion(MoatServices.Write), CallerRule.SameRegion(MoatServices.Query)]),
        new("moat.internal.v1.KeyVault", "SignAuditDigest", [
            CallerRule.SameRegion(MoatServices.Gateway), CallerRule.SameRegion(MoatServices.Write),
            CallerRule.SameRegion(MoatServices.Query), CallerRule.SameRegion(MoatServices.Keys)]),
        new("moat.internal.v1.KeyVault", "GetAuditKeyring", [
            CallerRule.SameRegion(MoatServices.Gateway), CallerRule.SameRegion(MoatServices.Write),
            CallerRule.SameRegion(MoatServices.Query), CallerRule.SameRegion(MoatServices.Keys)]),
        new("moat.v1.KeyService", Wildcard, [CallerRule.SameRegion(MoatServices.Gateway)]),
        new("moat.internal.v1.Directory", Wildcard, [
            CallerRule.AnyRegion(MoatServices.Gateway), CallerRule.AnyRegion(MoatServices.Write), CallerRule.AnyRegion(MoatServices.Query)]),
        new("moat.internal.v1.Directory", "CheckGrant", [CallerRule.AnyRegion(MoatServices.Keys)]),
        new("moat.v1.WriteService", Wildcard, [CallerRule.SameRegion(MoatServices.Gateway)]),
        new("moat.v1.QueryService", Wildcard, [CallerRule.SameRegion(MoatServices.Gateway)]),
        new("moat.internal.v1.NamespaceAdmin", Wildcard, [CallerRule.SameRegion(MoatServices.Gateway), CallerRule.AnyRegion(MoatServices.Router)]),
        new("moat.internal.v1.SnapshotSource", Wildcard, [CallerRule.OtherRegion(MoatServices.Write)]),
        new("moat.v1.RegionService", Wildcard, [CallerRule.AnyRegion(MoatServices.Gateway)]),
        new("moat.v1.AccessService", Wildcard, [CallerRule.AnyRegion(MoatServices.Gateway)]),
        // Health is not data: any identity of the deployment may ask whether a process is serving.
        new("grpc.health.v1.Health", Wildcard, [CallerRule.AnyService, CallerRule.AnyOperator]),
    ];

    /// <summary>The row that governs a method: its own row, else its service's wildcard row.</summary>
    public static CallRow? RowFor(string grpcService, string method) =>
        Matrix.FirstOrDefault(r => r.GrpcService == grpcService && r.Method == method)
        ?? Matrix.FirstOrDefault(r => r.GrpcService == grpcService && r.Method == Wildcard);

    /// <summary>Whether <paramref name="caller"/> may call the method (full path <c>/pkg.Service/Method</c>) on a server in <paramref name="serverRegion"/>.</summary>
    public static bool IsAllowed(string fullMethod, SpiffeId caller, string serverRegion)
    {
        var (service, method) = Split(fullMethod);
        var row = RowFor(service, method);
        return row is not null && row.Callers.Any(c => c.Admits(caller, serverRegion));
    }

    public static (string Service, string Method) Split(string fullMethod)
    {
        var trimmed = fullMethod.TrimStart('/');
        var slash = trimmed.LastIndexOf('/');
        return slash < 0 ? (trimmed, string.Empty) : (trimmed[..slash], trimmed[(slash + 1)..]);
    }
}
