namespace Moat.Gateway.Listeners;

/// <summary>One customer-facing listener (section <c>Moat:Gateway:Listeners:{i}</c>).</summary>
public sealed class CustomerListenerOptions
{
    /// <summary>The listener's name; for <c>loopback-dev</c> and <c>vpc-peering</c> it is the endpoint id.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>One of <see cref="ListenerKind.All"/>.</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>Bind address: never public, never 0.0.0.0 or ::.</summary>
    public string Address { get; set; } = string.Empty;

    public int Port { get; set; }

    /// <summary>Optional CA of customer client certificates; without it, a client certificate is refused.</summary>
    public string? CustomerCaFile { get; set; }
}

/// <summary>The gateway's customer listeners (section <c>Moat:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Moat:Gateway";

    public List<CustomerListenerOptions> Listeners { get; } = [];
}
