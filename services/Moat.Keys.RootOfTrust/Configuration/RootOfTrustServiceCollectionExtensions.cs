using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moat.Keys.RootOfTrust.DevFile;
using Moat.Keys.RootOfTrust.Pkcs11;

namespace Moat.Keys.RootOfTrust.Configuration;

/// <summary>Wiring of the root of trust (STYLE habit 2: the builder extension lives with the feature).</summary>
public static class RootOfTrustServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>Moat:RootOfTrust</c> (at start) and registers the selected
    /// <see cref="IRootKeyProvider"/> as a singleton. <c>dev-file</c> needs a <see cref="DevFileGuard"/>:
    /// from <paramref name="devFileGuard"/>, else one registered in the container, else it is refused.
    /// </summary>
    public static IServiceCollection AddRootOfTrust(this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, DevFileGuard>? devFileGuard = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RootOfTrustOptions>()
            .Bind(configuration.GetSection(RootOfTrustOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RootOfTrustOptions>, RootOfTrustOptionsValidator>());
        services.TryAddSingleton<IRootKeyProvider>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RootOfTrustOptions>>().Value;
            var loggers = sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            return RootKeyProviders.Create(options, () => devFileGuard?.Invoke(sp) ?? sp.GetService<DevFileGuard>(), loggers);
        });
        return services;
    }
}
