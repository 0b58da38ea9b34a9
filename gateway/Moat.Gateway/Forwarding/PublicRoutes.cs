using System.Collections.Frozen;
using Google.Protobuf.Reflection;
using Moat.Hosting;
using Moat.V1;

namespace Moat.Gateway.Forwarding;

/// <summary>One public RPC as the gateway sees it: where it goes and what it needs.</summary>
public sealed record PublicRoute(string Method, string Upstream, Role RequiredRole, bool HasNamespace);

/// <summary>
/// The public API (package <c>moat.v1</c>) as data: which service of this region serves each RPC,
/// the least role an API key needs for it, and whether its request names a namespace in field 1.
/// Routes come from the proto descriptors, so a new RPC is routed (and needs admin) by default.
/// </summary>
public static class PublicRoutes
{
    private static readonly FrozenDictionary<string, string> Upstreams = new Dictionary<string, string>
    {
        ["moat.v1.WriteService"] = MoatServices.Write,
        ["moat.v1.QueryService"] = MoatServices.Query,
        ["moat.v1.KeyService"] = MoatServices.Keys,
        ["moat.v1.RegionService"] = MoatServices.Router,
        ["moat.v1.AccessService"] = MoatServices.Router,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Least role per method; anything not listed needs admin (fail safe).</summary>
    private static readonly FrozenDictionary<string, Role> Roles = new Dictionary<string, Role>
    {
        ["moat.v1.WriteService/Write"] = Role.Write,
        ["moat.v1.WriteService/UpdateSchema"] = Role.Write,
        ["moat.v1.QueryService/Query"] = Role.Read,
        ["moat.v1.QueryService/MultiQuery"] = Role.Read,
        ["moat.v1.QueryService/Export"] = Role.Read,
        ["moat.v1.QueryService/GetNamespace"] = Role.Read,
        ["moat.v1.QueryService/ListNamespaces"] = Role.Read,
        ["moat.v1.QueryService/WarmCache"] = Role.Read,
        ["moat.v1.QueryService/MeasureRecall"] = Role.Read,
        ["moat.v1.RegionService/ListRegions"] = Role.Read,
        ["moat.v1.RegionService/LocateNamespace"] = Role.Read,
        ["moat.v1.RegionService/CreateNamespace"] = Role.Write,
        ["moat.v1.RegionService/GetOperation"] = Role.Read,
        ["moat.v1.RegionService/ListOperations"] = Role.Read,
        ["moat.v1.AccessService/WhoAmI"] = Role.Read,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, PublicRoute> Routes = Build();

    /// <summary>The route for a request path <c>/moat.v1.Service/Method</c>, if it is a public RPC.</summary>
    public static PublicRoute? Find(string path) =>
        Routes.TryGetValue(path.TrimStart('/'), out var route) ? route : null;

    public static IEnumerable<PublicRoute> All => Routes.Values;

    /// <summary>admin ⊇ write ⊇ read.</summary>
    public static bool Satisfies(Role held, Role required) => Rank(held) >= Rank(required) && Rank(required) > 0;

    private static int Rank(Role role) => role switch
    {
        Role.Admin => 3,
        Role.Write => 2,
        Role.Read => 1,
        _ => 0,
    };

    private static FrozenDictionary<string, PublicRoute> Build()
    {
        var routes = new Dictionary<string, PublicRoute>(StringComparer.Ordinal);
        FileDescriptor[] files = [WriteReflection.Descriptor, QueryReflection.Descriptor, KeysReflection.Descriptor, RegionReflection.Descriptor, AccessReflection.Descriptor];
        foreach (var service in files.SelectMany(f => f.Services))
        {
            var upstream = Upstreams[service.FullName];
            foreach (var method in service.Methods)
            {
                var name = $"{service.FullName}/{method.Name}";
                var field1 = method.InputType.FindFieldByNumber(1);
                routes[name] = new PublicRoute(
                    "/" + name,
                    upstream,
                    Roles.TryGetValue(name, out var role) ? role : Role.Admin,
                    field1 is { Name: "namespace", FieldType: FieldType.String });
            }
        }

        return routes.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
