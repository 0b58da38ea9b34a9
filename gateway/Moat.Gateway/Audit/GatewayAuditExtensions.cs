using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Moat.Audit;
using Moat.Audit.KeyVault;
using Moat.Hosting;
using Moat.Hosting.Clients;
using Moat.Hosting.Configuration;
using Moat.Storage.ObjectStore;

namespace Moat.Gateway.Audit;

/// <summary>Section <c>Moat:Audit</c>: where a regional service writes its audit chain.</summary>
public sealed class AuditStoreOptions
{
    public const string Section = "Moat:Audit";

    /// <summary>The region's object store (the local store in development).</summary>
    [Required(ErrorMessage = "Moat:Audit:StoreDir is required: every service writes its audit chain to the region's store.")]
    public string StoreDir { get; set; } = string.Empty;
}

/// <summary>Wiring of the gateway's audit chain: keys and digest signatures from the region's KeyVault.</summary>
public static class GatewayAuditExtensions
{
    public static WebApplicationBuilder AddGatewayAudit(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuditStoreOptions>().BindConfiguration(AuditStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddMoatInternalClient<Moat.Internal.V1.KeyVault.KeyVaultClient>(MoatServices.Keys);
        services.AddSingleton(sp => new AuditWriter(
            new LocalFileSystemStore(sp.GetRequiredService<IOptions<AuditStoreOptions>>().Value.StoreDir, sp.GetRequiredService<IOptions<MoatOptions>>().Value.Region),
            new KeyVaultAuditKeyProvider(sp.GetRequiredService<Moat.Internal.V1.KeyVault.KeyVaultClient>(), sp.GetRequiredService<TimeProvider>()),
            new KeyVaultDigestSigner(sp.GetRequiredService<Moat.Internal.V1.KeyVault.KeyVaultClient>()),
            new AuditWriterOptions { WriterId = AuditWriterId.Create(MoatServices.Gateway, sp.GetRequiredService<IOptions<MoatOptions>>().Value.InstanceId) },
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<GatewayAudit>();
        services.AddHostedService<AuditFlushOnStop>();
        return builder;
    }
}

/// <summary>Flushes aggregated audit records when the gateway stops.</summary>
public sealed class AuditFlushOnStop(AuditWriter writer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);
}
