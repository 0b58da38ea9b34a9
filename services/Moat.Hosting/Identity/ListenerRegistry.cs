namespace Moat.Hosting.Identity;

/// <summary>Which local ports are customer-facing listeners (gateway) rather than the internal mTLS listener.</summary>
public sealed class ListenerRegistry
{
    private readonly HashSet<int> _customerPorts = [];

    public void AddCustomerListener(int port) => _customerPorts.Add(port);

    public bool IsCustomerListener(int port) => _customerPorts.Contains(port);
}
