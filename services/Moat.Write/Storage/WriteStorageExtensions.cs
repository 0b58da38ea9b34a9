using Microsoft.Extensions.Options;
using Moat.Hosting.Configuration;
using Moat.Hosting.Tls;
using Moat.Storage.Namespaces;
using Moat.Storage.ObjectStore;

namespace Moat.Write.Storage;

/// <summary>The region's data store of the write service: a region-bound local store behind the resilience wrapper.</summary>
public static class WriteStorageExtensions
{
    public static WebApplicationBuilder AddWriteStore(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WriteStoreOptions>().BindConfiguration(WriteStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ResilientObjectStoreOptions>().BindConfiguration(ResilientObjectStoreOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ResilientObjectStoreOptions>>(new ListValidator<ResilientObjectStoreOptions>(o => o.Validate()));
        services.AddSingleton(sp => OpenRegionStore(sp));
        services.AddSingleton<IObjectStore>(sp => new ResilientObjectStore(
            sp.GetRequiredService<LocalFileSystemStore>(),
            sp.GetRequiredService<IOptions<ResilientObjectStoreOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new NamespaceMetaStore(
            sp.GetRequiredService<IObjectStore>(),
            sp.GetRequiredService<IOptions<WriteStoreOptions>>().Value.MetaCacheTtl,
            sp.GetRequiredService<TimeProvider>()));

        // Opened at start, so a store of another region (or an unusable directory) stops the service at once.
        services.AddHostedService<WriteStoreGuard>();
        return builder;
    }

    private static LocalFileSystemStore OpenRegionStore(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<WriteStoreOptions>>().Value;
        var region = sp.GetRequiredService<IOptions<MoatOptions>>().Value.Region;
        try
        {
            var store = new LocalFileSystemStore(options.DataStoreDir, region);
            if (store.Region != region)
            {
                throw new MoatStartupException($"Moat:Write:DataStoreDir '{options.DataStoreDir}' is a store of region {store.Region}, not {region}.");
            }

            return store;
        }
        catch (ObjectStoreRegionMismatchException e)
        {
            throw new MoatStartupException($"Moat:Write:DataStoreDir '{options.DataStoreDir}' belongs to another region: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new MoatStartupException($"Moat:Write:DataStoreDir '{options.DataStoreDir}' cannot be opened: {e.Message}");
        }
    }
}

/// <summary>Opens the region store when the host starts (a failure stops the start with its message).</summary>
internal sealed class WriteStoreGuard(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<IObjectStore>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
