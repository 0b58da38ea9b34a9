using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Moat.Hosting;
using Moat.Hosting.Clients;
using Moat.Hosting.Configuration;
using Moat.Hosting.Identity;
using Moat.Hosting.Tls;

namespace Moat.Gateway.Forwarding;

/// <summary>
/// One HTTP/2 client per upstream service of this region, presenting the gateway's SVID and
/// accepting only that service's identity (never just any certificate of our CA).
/// </summary>
public sealed class UpstreamInvokers : IDisposable
{
    private readonly ConcurrentDictionary<string, (HttpMessageInvoker Invoker, string Address)> _invokers = new(StringComparer.Ordinal);
    private readonly IServiceProvider _services;

    public UpstreamInvokers(IServiceProvider services)
    {
        _services = services;
    }

    public (HttpMessageInvoker Invoker, string Address) For(string service) => _invokers.GetOrAdd(service, Create);

    private (HttpMessageInvoker, string) Create(string service)
    {
        var moat = _services.GetRequiredService<IOptions<MoatOptions>>().Value;
        var upstreams = _services.GetRequiredService<IOptions<UpstreamOptions>>().Value;
        if (!upstreams.Addresses.TryGetValue(service, out var address))
        {
            throw new MoatStartupException($"Moat:Upstreams:{service} is not set: the gateway forwards to {service}.");
        }

        var expected = SpiffeId.ForService(moat.TrustDomain, MoatServices.IdentityRegion(service, moat.Region), service);
        var handler = InternalChannel.CreateHandler(
            _services.GetRequiredService<CertificateHolder>().Context,
            _services.GetRequiredService<TrustBundle>(),
            expected);
        handler.UseProxy = false;
        handler.AllowAutoRedirect = false;
        handler.AutomaticDecompression = System.Net.DecompressionMethods.None;
        handler.UseCookies = false;
        return (new HttpMessageInvoker(handler), address.TrimEnd('/'));
    }

    public void Dispose()
    {
        foreach (var (invoker, _) in _invokers.Values)
        {
            invoker.Dispose();
        }
    }
}
