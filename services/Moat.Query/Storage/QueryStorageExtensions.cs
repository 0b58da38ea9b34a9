using Microsoft.Extensions.Options;
using Moat.Hosting.Configuration;
using Moat.Hosting.Tls;
using Moat.Keys.Client;
using Moat.Query.Export;
using Moat.Query.Reading;
using Moat.Query.Snapshots;
using Moat.Storage.Namespaces;
using Moat.Storage.ObjectStore;

namespace Moat.Query.Storage;

/// <summary>Wires the read path: the region store (with the optional sealed disk cache), KeyVault keys, the namespace cache and the handlers.</summary>
internal static class QueryStorageExtensions
{
    public static WebApplicationBuilder AddReadPath(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<QueryOptions>().BindConfiguration(QueryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ResilientObjectStoreOptions>().BindConfiguration(ResilientObjectStoreOptions.SectionName).ValidateOnStart();
        services.AddSingleton(OpenRegionStore);
        services.AddSingleton<IObjectStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<QueryOptions>>().Value;
            IObjectStore store = new ResilientObjectStore(
                sp.GetRequiredService<LocalFileSystemStore>(),
                sp.GetRequiredService<IOptions<ResilientObjectStoreOptions>>().Value,
                sp.GetRequiredService<TimeProvider>());
            return options.DiskCacheDir.Length == 0 ? store : new SealedSegmentDiskCache(store, options.DiskCacheDir, options.DiskCacheBytes);
        });
        services.AddSingleton(sp => new NamespaceMetaStore(
            sp.GetRequiredService<IObjectStore>(),
            sp.GetRequiredService<IOptions<QueryOptions>>().Value.MetaCacheTtl,
            sp.GetRequiredService<TimeProvider>()));
        services.AddKeyVaultKeys();
        services.AddSingleton<SnapshotCache>();
        services.AddSingleton<QueryHandler>();
        services.AddSingleton<ExportHandler>();
        services.AddSingleton<NamespaceInfoHandler>();
        services.AddSingleton<RecallMeasurer>();

        // Opened at start, so a store of another region (or an unusable directory) stops the service at once.
        services.AddHostedService<QueryStoreGuard>();
        return builder;
    }

    private static LocalFileSystemStore OpenRegionStore(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<QueryOptions>>().Value;
        var region = sp.GetRequiredService<IOptions<MoatOptions>>().Value.Region;
        try
        {
            return new LocalFileSystemStore(options.DataStoreDir, region);
        }
        catch (ObjectStoreRegionMismatchException e)
        {
            throw new MoatStartupException($"Moat:Query:DataStoreDir '{options.DataStoreDir}' belongs to another region: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new MoatStartupException($"Moat:Query:DataStoreDir '{options.DataStoreDir}' cannot be opened: {e.Message}");
        }
    }
}

/// <summary>Opens the region store and the key cache when the host starts (a failure stops the start with its message).</summary>
internal sealed class QueryStoreGuard(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<IObjectStore>();
        _ = services.GetRequiredService<SnapshotCache>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
