using Moat.Gateway.Authentication;
using Moat.Gateway.Namespaces;
using Moat.Hosting;
using Moat.Hosting.Clients;

namespace Moat.Gateway.Forwarding;

/// <summary>Wiring of the public door: authentication against the router, and forwarding.</summary>
public static class ForwardingExtensions
{
    public static WebApplicationBuilder AddPublicApiForwarding(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiKeyAuthenticatorOptions>().BindConfiguration(ApiKeyAuthenticatorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ForwardingOptions>().BindConfiguration(ForwardingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddMoatInternalClient<Moat.Internal.V1.Directory.DirectoryClient>(MoatServices.Router);
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        builder.Services.AddSingleton<NamespaceResolver>();
        builder.Services.AddMoatInternalClient<Moat.Internal.V1.NamespaceAdmin.NamespaceAdminClient>(MoatServices.Write);
        builder.Services.AddSingleton<NamespaceCreator>();
        builder.Services.AddSingleton<CreateNamespaceHandler>();
        builder.Services.AddSingleton<UpstreamInvokers>();
        builder.Services.AddSingleton<PublicApiForwarder>();
        builder.Services.AddHttpForwarder();
        return builder;
    }

    /// <summary>Runs before routing so public RPCs on customer listeners never reach an endpoint of the gateway itself.</summary>
    public static WebApplication UsePublicApiForwarding(this WebApplication app)
    {
        // Resolved per request (a singleton after the first): a configuration error then surfaces
        // at start through options validation, not while the app is being built.
        app.Use((context, next) => context.RequestServices.GetRequiredService<PublicApiForwarder>().InvokeAsync(context, next));
        return app;
    }
}
