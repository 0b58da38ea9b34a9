using Microsoft.Extensions.Options;
using Moat.Hosting;
using Moat.Hosting.Configuration;
using Moat.Keys.Audit;
using Moat.Keys.CustomerKeys;
using Moat.Keys.KeyStore;
using Moat.Keys.NamespaceKeys;
using Moat.Keys.RootOfTrust;
using Moat.Keys.RootOfTrust.Configuration;
using Moat.Keys.RootOfTrust.DevFile;
using Moat.Keys.Vault;

namespace Moat.Keys;

/// <summary>
/// The keys service: KeyVault (data keys for write and query) and KeyService (customer keys). Built
/// here so tests can run the real host in-process (over real TLS) with a fake clock.
/// </summary>
public static class KeysApp
{
    public static WebApplication Build(string[] args, Action<IServiceCollection>? overrides = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddMoatDefaults(MoatServices.Keys);
        builder.Services.AddKeyVault(builder.Configuration);
        overrides?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapMoatDefaults();
        app.MapGrpcService<KeyVaultApi>();
        app.MapGrpcService<KeyServiceApi>();
        return app;
    }

    public static IServiceCollection AddKeyVault(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KeyStoreOptions>().BindConfiguration(KeyStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // dev-file is accepted only in the dev trust domain, on a local store, with loopback listeners.
        services.AddRootOfTrust(configuration, sp =>
        {
            var moat = sp.GetRequiredService<IOptions<MoatOptions>>().Value;
            return new DevFileGuard(moat.TrustDomain, StoreIsLocal: true, [moat.ListenAddress]);
        });
        services.AddSingleton<KeyStores>();
        services.AddSingleton<CustomerKeyManager>();
        services.AddSingleton<NamespaceKekManager>();
        services.AddSingleton<KeyReleasePolicy>();
        // Hosted services start in order: the root key must exist before the audit key is unwrapped.
        services.AddHostedService<RootKeyBootstrapper>();
        services.AddKeysAudit();
        services.AddSingleton<KeyDestructionSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyDestructionSweeper>());
        return services;
    }
}
