using Microsoft.Extensions.Options;
using Moat.Hosting;
using Moat.Hosting.Configuration;
using Moat.Router.ApiKeys;
using Moat.Router.Endpoints;
using Moat.Router.Namespaces;
using Moat.Router.Orgs;
using Moat.Storage.ObjectStore;
using Moat.Storage.Records;

namespace Moat.Router.Persistence;

/// <summary>The router's own store (orgs, API keys, endpoints, directory) and the registries on it.</summary>
public static class RouterStoreExtensions
{
    public static IServiceCollection AddRouterStore(this IServiceCollection services)
    {
        services.AddOptions<MoatOptions>()
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDir), "Moat:DataDir is required: the router keeps orgs, API keys and the directory there.");
        services.AddSingleton<IObjectStore>(sp => OpenStore(sp.GetRequiredService<IOptions<MoatOptions>>().Value.DataDir));
        services.AddSingleton<JsonRecordStore>();
        services.AddOptions<Regions.RegionCatalogOptions>().BindConfiguration(Regions.RegionCatalogOptions.Section);
        services.AddSingleton<OrgRegistry>();
        services.AddSingleton<EndpointRegistry>();
        services.AddSingleton<ApiKeyRegistry>();
        services.AddSingleton<NamespaceDirectory>();
        return services;
    }

    /// <summary>The router is global: its store is bound to the global pseudo-region.</summary>
    public static IObjectStore OpenStore(string dataDir) => new LocalFileSystemStore(dataDir, MoatServices.GlobalRegion);
}
