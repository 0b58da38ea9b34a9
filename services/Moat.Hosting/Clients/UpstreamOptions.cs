namespace Moat.Hosting.Clients;

/// <summary>
/// Static discovery (the default, DESIGN section 11): the address of each upstream service, section
/// <c>Moat:Upstreams</c>, e.g. <c>Moat:Upstreams:router = https://127.0.0.1:7405</c>.
/// </summary>
public sealed class UpstreamOptions
{
    public const string Section = "Moat:Upstreams";

    public Dictionary<string, string> Addresses { get; } = new(StringComparer.Ordinal);

    /// <summary>Deadline applied to every internal call that has none.</summary>
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromSeconds(10);
}
