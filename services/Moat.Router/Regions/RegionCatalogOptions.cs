namespace Moat.Router.Regions;

/// <summary>One region of the deployment as the router publishes it (section <c>Moat:Router:Regions:{i}</c>).</summary>
public sealed class RegionEntry
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Cloud and cloud region, e.g. "aws:eu-west-1" (informational).</summary>
    public string Cloud { get; set; } = string.Empty;

    /// <summary>The region's gateway endpoint customers reach through their private endpoint.</summary>
    public string Endpoint { get; set; } = string.Empty;
}

/// <summary>Section <c>Moat:Router</c>.</summary>
public sealed class RegionCatalogOptions
{
    public const string Section = "Moat:Router";

    public List<RegionEntry> Regions { get; } = [];
}
