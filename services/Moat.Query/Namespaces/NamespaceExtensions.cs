using Moat.Hosting;
using Moat.Hosting.Clients;

namespace Moat.Query.Namespaces;

/// <summary>Wires namespace listing: the router's directory client and the lister.</summary>
internal static class NamespaceExtensions
{
    public static WebApplicationBuilder AddNamespaceListing(this WebApplicationBuilder builder)
    {
        builder.Services.AddMoatInternalClient<Moat.Internal.V1.Directory.DirectoryClient>(MoatServices.Router);
        builder.Services.AddSingleton<NamespaceLister>();
        return builder;
    }
}
