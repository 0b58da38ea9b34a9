using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Moat.Gateway.Listeners;

/// <summary>Refuses at start any listener that could open a public path (DESIGN section 8).</summary>
public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        if (options.Listeners.Count == 0)
        {
            failures.Add("Moat:Gateway:Listeners is empty: the gateway needs at least one customer listener.");
        }

        for (var i = 0; i < options.Listeners.Count; i++)
        {
            var l = options.Listeners[i];
            var at = $"Moat:Gateway:Listeners:{i}";
            if (string.IsNullOrWhiteSpace(l.Name))
            {
                failures.Add($"{at}:Name is required.");
            }

            if (!ListenerKind.All.Contains(l.Kind))
            {
                failures.Add($"{at}:Kind '{l.Kind}' is not one of {string.Join(", ", ListenerKind.All)}.");
            }
            else if (!ListenerKind.Built.Contains(l.Kind))
            {
                failures.Add($"{at}:Kind '{l.Kind}' needs the private-endpoint gateway (PROXY protocol v2), which is not built yet; only {string.Join(", ", ListenerKind.Built)} is served.");
            }

            if (!string.IsNullOrEmpty(l.CustomerCaFile) && !File.Exists(l.CustomerCaFile))
            {
                failures.Add($"{at}:CustomerCaFile '{l.CustomerCaFile}' does not exist.");
            }

            if (l.Port is < 1 or > 65535)
            {
                failures.Add($"{at}:Port must be between 1 and 65535.");
            }

            if (!IPAddress.TryParse(l.Address, out var address))
            {
                failures.Add($"{at}:Address '{l.Address}' is not an IP address.");
                continue;
            }

            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            {
                failures.Add($"{at}:Address {address} binds every interface: Moat has no public path.");
            }
            else if (l.Kind == ListenerKind.LoopbackDev && !IPAddress.IsLoopback(address))
            {
                failures.Add($"{at}:Address {address}: a loopback-dev listener binds loopback only.");
            }
            else if (!IPAddress.IsLoopback(address) && !IsPrivate(address))
            {
                failures.Add($"{at}:Address {address} is public: customer listeners bind private addresses only.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsPrivate(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return (b[0] & 0xFE) == 0xFC || address.IsIPv6LinkLocal;
        }

        var v4 = address.GetAddressBytes();
        return v4[0] == 10
            || (v4[0] == 172 && v4[1] >= 16 && v4[1] <= 31)
            || (v4[0] == 192 && v4[1] == 168)
            || (v4[0] == 100 && v4[1] >= 64 && v4[1] <= 127);
    }
}
