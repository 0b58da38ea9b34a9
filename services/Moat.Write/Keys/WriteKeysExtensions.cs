using Moat.Hosting;
using Moat.Hosting.Clients;
using Moat.Keys.Client;
using Moat.Storage.Namespaces;

namespace Moat.Write.Keys;

/// <summary>KeyVault (data keys, through the cache) and the directory (releasing deleted names) for the write service.</summary>
public static class WriteKeysExtensions
{
    public static WebApplicationBuilder AddWriteKeys(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddKeyVaultKeys();
        services.AddMoatInternalClient<Moat.Internal.V1.Directory.DirectoryClient>(MoatServices.Router);
        services.AddSingleton<WalSealingKeys>();
        services.AddHostedService<DropDecryptedOnUnusableKey>();
        return builder;
    }
}

/// <summary>A namespace whose key became unusable (or cannot be checked) loses its cached plaintext meta at once.</summary>
internal sealed class DropDecryptedOnUnusableKey(NamespaceKeyCache keys, NamespaceMetaStore meta) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        keys.OnUnusable(dropped => meta.Invalidate(dropped.NamespaceId));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
