using Microsoft.Extensions.Options;
using Moat.Audit;
using Moat.Hosting.Configuration;
using Moat.Audit.RootOfTrust;
using Moat.Keys.RootOfTrust;
using Moat.Keys.RootOfTrust.Configuration;
using Moat.Keys.KeyStore;

namespace Moat.Keys.Audit;

/// <summary>
/// The keys service's audit: its own durable chain (every KeyVault and KeyService call), the
/// region's audit signing key, and the checkpointer that signs every writer's digests and the
/// org's periodic checkpoints.
/// </summary>
public static class KeysAuditExtensions
{
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddKeysAudit(this IServiceCollection services)
    {
        services.AddSingleton<LocalAuditKeyProvider>();
        services.AddSingleton(sp => new RootWrappedAuditSigner(
            sp.GetRequiredService<KeyStores>().Keys,
            sp.GetRequiredService<IRootKeyProvider>(),
            sp.GetRequiredService<IOptions<RootOfTrustOptions>>().Value.RootKeyId,
            "keys",
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AuditCheckpointer(
            sp.GetRequiredService<KeyStores>().Data,
            sp.GetRequiredService<RootWrappedAuditSigner>(),
            sp.GetRequiredService<IOptions<MoatOptions>>().Value.Region,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AuditWriter(
            sp.GetRequiredService<KeyStores>().Data,
            sp.GetRequiredService<LocalAuditKeyProvider>(),
            sp.GetRequiredService<AuditCheckpointer>(),
            new AuditWriterOptions { WriterId = AuditWriterId.Create("keys", sp.GetRequiredService<IOptions<MoatOptions>>().Value.InstanceId) },
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IKeyAuditSink, DurableKeyAuditSink>();
        services.AddHostedService<KeysAuditRunner>();
        return services;
    }
}

/// <summary>Loads the signing key before serving, runs periodic checkpoints, and flushes the chain on stop.</summary>
public sealed class KeysAuditRunner : BackgroundService
{
    private readonly RootWrappedAuditSigner _signingKey;
    private readonly AuditCheckpointer _checkpointer;
    private readonly AuditWriter _writer;

    public KeysAuditRunner(RootWrappedAuditSigner signingKey, AuditCheckpointer checkpointer, AuditWriter writer)
    {
        _signingKey = signingKey;
        _checkpointer = checkpointer;
        _writer = writer;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await _signingKey.EnsureLoadedAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _writer.FlushAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _checkpointer.RunAsync(KeysAuditExtensions.CheckpointInterval, stoppingToken);
}
