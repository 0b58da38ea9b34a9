using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moat.Indexer.Collection;
using Moat.Indexer.Compaction;
using Moat.Indexer.Indexing;
using Moat.Indexer.Keys;
using Moat.Indexer.Manifests;
using Moat.Indexer.Scheduling;
using Moat.Indexer.SegmentStore;
using Moat.Indexer.Snapshots;
using Moat.Segments.Segments;
using Moat.Storage.ObjectStore;

namespace Moat.Indexer.Configuration;

/// <summary>
/// Wiring of the indexer (STYLE habit 2). The host registers <see cref="IObjectStore"/>,
/// <see cref="IServiceKeySource"/> and <see cref="INamespaceSchemaSource"/> (and optionally an
/// <see cref="IVectorIndexBuilder"/> and a <see cref="TimeProvider"/>).
/// </summary>
public static class IndexerServiceCollectionExtensions
{
    /// <summary>
    /// The write service's indexer: binds and validates <c>Indexer</c> at start; registers the
    /// manifest store, segment objects, indexer, compactor, collector, snapshot loader, and the
    /// <see cref="IndexerScheduler"/> as a hosted service and as <see cref="IIndexerNotifier"/>.
    /// </summary>
    public static IServiceCollection AddMoatIndexer(this IServiceCollection services, IConfiguration configuration)
    {
        AddMoatSnapshotLoader(services, configuration);
        services.TryAddSingleton(sp => new NamespaceIndexer(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IServiceKeySource>(),
            sp.GetRequiredService<INamespaceSchemaSource>(), sp.GetRequiredService<ManifestStore>(), sp.GetRequiredService<SegmentObjects>(),
            Options(sp), sp.GetService<IVectorIndexBuilder>(), sp.GetService<TimeProvider>(), sp.GetService<ILogger<NamespaceIndexer>>()));
        services.TryAddSingleton(sp => new NamespaceCompactor(sp.GetRequiredService<INamespaceSchemaSource>(), sp.GetRequiredService<ManifestStore>(),
            sp.GetRequiredService<SegmentObjects>(), Options(sp), sp.GetService<IVectorIndexBuilder>(), sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<NamespaceCompactor>>()));
        services.TryAddSingleton(sp => new NamespaceCollector(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<ManifestStore>(),
            Options(sp), sp.GetService<TimeProvider>(), sp.GetService<ILogger<NamespaceCollector>>()));
        services.TryAddSingleton(sp => new IndexerScheduler(sp.GetRequiredService<NamespaceIndexer>(), sp.GetRequiredService<NamespaceCompactor>(),
            sp.GetRequiredService<NamespaceCollector>(), Options(sp), sp.GetService<TimeProvider>(), sp.GetService<ILogger<IndexerScheduler>>()));
        services.TryAddSingleton<IIndexerNotifier>(sp => sp.GetRequiredService<IndexerScheduler>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<IndexerScheduler>());
        return services;
    }

    /// <summary>
    /// What a reader (the query service) needs: options (validated at start), the manifest store,
    /// segment objects and the <see cref="NamespaceSnapshotLoader"/>.
    /// </summary>
    public static IServiceCollection AddMoatSnapshotLoader(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<IndexerOptions>().Bind(configuration.GetSection(IndexerOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IndexerOptions>, IndexerOptionsValidator>());
        services.TryAddSingleton(sp => new ManifestStore(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IServiceKeySource>(), Options(sp),
            sp.GetService<TimeProvider>(), sp.GetService<ILogger<ManifestStore>>()));
        services.TryAddSingleton(sp => new SegmentObjects(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IServiceKeySource>(), Options(sp),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new NamespaceSnapshotLoader(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IServiceKeySource>(),
            sp.GetRequiredService<ManifestStore>(), sp.GetRequiredService<SegmentObjects>(), Options(sp)));
        return services;
    }

    private static IndexerOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<IndexerOptions>>().Value;
}
