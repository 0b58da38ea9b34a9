using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moat.Hosting;
using Moat.Hosting.Clients;
using Moat.Internal.V1;

namespace Moat.Keys.Client;

/// <summary>Wiring of a service's access to KeyVault: the typed client, the key cache and the key source.</summary>
public static class KeyClientExtensions
{
    /// <summary>KeyVault of this region (mTLS, its identity checked), <see cref="NamespaceKeyCache"/> (<c>Moat:KeyCache</c>) and <see cref="KeyVaultKeySource"/>.</summary>
    public static IServiceCollection AddKeyVaultKeys(this IServiceCollection services)
    {
        services.AddMoatInternalClient<KeyVault.KeyVaultClient>(MoatServices.Keys);
        services.AddOptions<KeyCacheOptions>().BindConfiguration(KeyCacheOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new NamespaceKeyCache(
            sp.GetRequiredService<KeyVault.KeyVaultClient>(),
            sp.GetRequiredService<IOptions<KeyCacheOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<KeyVaultKeySource>();
        return services;
    }
}
