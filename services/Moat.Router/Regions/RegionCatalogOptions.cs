namespace Moat.Router.Regions;

/// <summary>One region of the deployment as the router publishes it (section <c>Moat:Router:Regions:{i}</c>).</summary>
public sealed class RegionEntry
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Cloud and cloud region, e.g. "aws:eu-west-1" (informational).</summary>
    public string Cloud { get; set; } = string.Empty;

    /// <summary>The region's gateway endpoint customers reach through their private endpoint.</summary>
    public string Endpoint { get; set; } = string.Empty;

    /// <summary>The region's audit verification keys (KeyVault's), published so customers can pin them.</summary>
    public List<RegionAuditKey> AuditKeys { get; } = [];
}

/// <summary>A region's audit verification key: id and DER SubjectPublicKeyInfo (base64).</summary>
public sealed class RegionAuditKey
{
    public string KeyId { get; set; } = string.Empty;

    public string PublicKey { get; set; } = string.Empty;
}

/// <summary>Section <c>Moat:Router</c>.</summary>
public sealed class RegionCatalogOptions
{
    public const string Section = "Moat:Router";

    public List<RegionEntry> Regions { get; } = [];
}
