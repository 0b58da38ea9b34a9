namespace Moat.Hosting.Identity;

/// <summary>Which local ports are customer-facing listeners (gateway) rather than the internal mTLS listener, and their names.</summary>
public sealed class ListenerRegistry
{
    private readonly Dictionary<int, string> _customer = [];

    public void AddCustomerListener(int port, string name) => _customer[port] = name;

    public bool IsCustomerListener(int port) => _customer.ContainsKey(port);

    /// <summary>The listener's name: for loopback-dev and vpc-peering listeners, the endpoint id.</summary>
    public string NameOf(int port) => _customer.TryGetValue(port, out var name) ? name : string.Empty;
}
