using Microsoft.Extensions.Options;
using Moat.Audit;
using Moat.Audit.RootOfTrust;
using Moat.Hosting;
using Moat.Hosting.Configuration;
using Moat.Keys.RootOfTrust;
using Moat.Keys.RootOfTrust.Configuration;
using Moat.Keys.RootOfTrust.DevFile;
using Moat.Storage.ObjectStore;
using Moat.Storage.Records;

namespace Moat.Router.Audit;

/// <summary>The router's audit: its own root of trust, signing key, checkpointer and chain, on its own store.</summary>
public static class RouterAuditExtensions
{
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddRouterAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRootOfTrust(configuration, sp =>
        {
            var moat = sp.GetRequiredService<IOptions<MoatOptions>>().Value;
            return new DevFileGuard(moat.TrustDomain, StoreIsLocal: true, [moat.ListenAddress]);
        });
        services.AddSingleton(sp => Create(
            sp.GetRequiredService<IObjectStore>(),
            sp.GetRequiredService<IRootKeyProvider>(),
            sp.GetRequiredService<IOptions<RootOfTrustOptions>>().Value.RootKeyId,
            sp.GetRequiredService<IOptions<MoatOptions>>().Value.InstanceId,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => sp.GetRequiredService<RouterAuditStack>().Audit);
        services.AddHostedService<RouterAuditRunner>();
        return services;
    }

    /// <summary>Everything the router's chain needs; the offline bootstrap builds the same with its own writer id.</summary>
    public static RouterAuditStack Create(IObjectStore store, IRootKeyProvider root, string rootKeyId, string instance, TimeProvider time)
    {
        var signer = new RootWrappedAuditSigner(new JsonRecordStore(store), root, rootKeyId, MoatServices.Router, time);
        var checkpointer = new AuditCheckpointer(store, signer, MoatServices.GlobalRegion, time);
        var keys = new RootWrappedAuditKeyProvider(store, root, rootKeyId, time);
        var writer = new AuditWriter(store, keys, checkpointer, new AuditWriterOptions { WriterId = AuditWriterId.Create(MoatServices.Router, instance) }, time);
        return new RouterAuditStack(root, rootKeyId, signer, checkpointer, writer, new RouterAudit(writer));
    }
}

/// <summary>The router's audit pieces, created together.</summary>
public sealed record RouterAuditStack(IRootKeyProvider Root, string RootKeyId, RootWrappedAuditSigner Signer, AuditCheckpointer Checkpointer, AuditWriter Writer, RouterAudit Audit)
{
    /// <summary>The root key must exist (created inside the root of trust on first start) before the signing key is unwrapped.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await Root.ExistsAsync(RootKeyId, cancellationToken))
        {
            await Root.CreateRootKeyAsync(RootKeyId, cancellationToken);
        }

        await Signer.EnsureLoadedAsync(cancellationToken);
    }
}

/// <summary>Loads the router's signing key before serving, checkpoints periodically, flushes on stop.</summary>
public sealed class RouterAuditRunner(RouterAuditStack stack) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await stack.StartAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await stack.Writer.FlushAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => stack.Checkpointer.RunAsync(RouterAuditExtensions.CheckpointInterval, stoppingToken);
}
