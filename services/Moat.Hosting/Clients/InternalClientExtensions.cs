using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moat.Hosting.Configuration;
using Moat.Hosting.Identity;
using Moat.Hosting.Tls;

namespace Moat.Hosting.Clients;

/// <summary>Typed internal gRPC clients (STYLE habit 10).</summary>
public static class InternalClientExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TClient"/> for <paramref name="service"/> of this region (or the
    /// global router): address from <c>Moat:Upstreams:{service}</c>, our SVID as client certificate,
    /// only that service's identity accepted, deadlines and retries per <see cref="InternalCallInterceptor"/>.
    /// </summary>
    public static IHttpClientBuilder AddMoatInternalClient<TClient>(this IServiceCollection services, string service)
        where TClient : class
    {
        services.AddOptions<UpstreamOptions>()
            .Configure<IConfiguration>((o, config) =>
            {
                foreach (var child in config.GetSection(UpstreamOptions.Section).GetChildren())
                {
                    if (child.Value is { } value)
                    {
                        o.Addresses[child.Key] = value;
                    }
                }
            })
            .Validate(o => o.Addresses.Values.All(a => a.StartsWith("https://", StringComparison.Ordinal)), "Moat:Upstreams addresses must be https:// (there is no plaintext path).");

        return services
            .AddGrpcClient<TClient>((sp, o) => o.Address = new Uri(Address(sp, service)))
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var moat = sp.GetRequiredService<IOptions<MoatOptions>>().Value;
                var expected = SpiffeId.ForService(moat.TrustDomain, MoatServices.IdentityRegion(service, moat.Region), service);
                return InternalChannel.CreateHandler(sp.GetRequiredService<CertificateHolder>().Context, sp.GetRequiredService<TrustBundle>(), expected);
            })
            .AddInterceptor(sp => new InternalCallInterceptor(sp.GetRequiredService<IOptions<UpstreamOptions>>().Value.DefaultDeadline));
    }

    private static string Address(IServiceProvider sp, string service) =>
        sp.GetRequiredService<IOptions<UpstreamOptions>>().Value.Addresses.TryGetValue(service, out var address)
            ? address
            : throw new Tls.MoatStartupException($"Moat:Upstreams:{service} is not set: this service calls {service}.");
}
