using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Moat.Hosting.Identity;
using Moat.Hosting.Tls;

namespace Moat.Gateway.Listeners;

/// <summary>Opens the customer listeners next to the internal (operator) mTLS listener.</summary>
public static class CustomerListenerExtensions
{
    public static WebApplicationBuilder AddCustomerListeners(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.Section)
            .ValidateOnStart();

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            // Raw settings, never throwing here: GatewayOptionsValidator stops the service at start
            // with a clear message before anything listens.
            var options = context.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
            var registry = kestrel.ApplicationServices.GetRequiredService<ListenerRegistry>();
            foreach (var listener in options.Listeners)
            {
                if (!IPAddress.TryParse(listener.Address, out var address) || listener.Port is < 1 or > 65535)
                {
                    continue;
                }

                var customerCa = new Lazy<X509Certificate2?>(() => string.IsNullOrEmpty(listener.CustomerCaFile)
                    ? null
                    : PemFiles.LoadCertificate(listener.CustomerCaFile, $"{GatewayOptions.Section}:Listeners:{listener.Name}:CustomerCaFile"));
                registry.AddCustomerListener(listener.Port, listener.Name);
                kestrel.ListenCustomerTls(address, listener.Port, kestrel.ApplicationServices, () => customerCa.Value);
            }
        });
        return builder;
    }
}
