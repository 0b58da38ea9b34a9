using Microsoft.Extensions.Options;
using Moat.Audit;
using Moat.Audit.KeyVault;
using Moat.Hosting;
using Moat.Hosting.Configuration;
using Moat.Storage.ObjectStore;

namespace Moat.Write.Audit;

/// <summary>The write service's audit chain in the region's data store, sealed under the org's audit keyring from KeyVault.</summary>
public static class WriteAuditExtensions
{
    public static WebApplicationBuilder AddWriteAudit(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(sp => new AuditWriter(
            sp.GetRequiredService<IObjectStore>(),
            new KeyVaultAuditKeyProvider(sp.GetRequiredService<Moat.Internal.V1.KeyVault.KeyVaultClient>(), sp.GetRequiredService<TimeProvider>()),
            new KeyVaultDigestSigner(sp.GetRequiredService<Moat.Internal.V1.KeyVault.KeyVaultClient>()),
            new AuditWriterOptions { WriterId = AuditWriterId.Create(MoatServices.Write, sp.GetRequiredService<IOptions<MoatOptions>>().Value.InstanceId) },
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<WriteAudit>();
        services.AddHostedService<WriteAuditFlushOnStop>();
        return builder;
    }
}

/// <summary>Flushes the chain when the service stops.</summary>
internal sealed class WriteAuditFlushOnStop(AuditWriter writer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);
}
