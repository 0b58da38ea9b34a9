namespace Moat.Hosting;

/// <summary>The five Moat components (DESIGN section 2) by the name used in SPIFFE ids, config and logs.</summary>
public static class MoatServices
{
    public const string Gateway = "gateway";
    public const string Write = "write";
    public const string Query = "query";
    public const string Keys = "keys";
    public const string Router = "router";

    /// <summary>The router is the global control plane: its SPIFFE id names this pseudo-region.</summary>
    public const string GlobalRegion = "global";

    public static IReadOnlyList<string> All { get; } = [Router, Keys, Write, Query, Gateway];

    public static bool IsKnown(string service) => All.Contains(service, StringComparer.Ordinal);

    /// <summary>The region a service's identity carries: its own region, or <see cref="GlobalRegion"/> for the router.</summary>
    public static string IdentityRegion(string service, string region) =>
        service == Router ? GlobalRegion : region;
}
