using Microsoft.Extensions.Options;
using Moat.Hosting;
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
            var services = kestrel.ApplicationServices;
            var options = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
            var holder = services.GetRequiredService<CertificateHolder>();
            var registry = services.GetRequiredService<ListenerRegistry>();
            foreach (var listener in options.Listeners)
            {
                var customerCa = string.IsNullOrEmpty(listener.CustomerCaFile)
                    ? null
                    : PemFiles.LoadCertificate(listener.CustomerCaFile, $"{GatewayOptions.Section}:Listeners:{listener.Name}:CustomerCaFile");
                registry.AddCustomerListener(listener.Port);
                kestrel.ListenCustomerTls(
                    MoatHostingExtensions.ParseAddress(listener.Address, $"{GatewayOptions.Section}:Listeners:{listener.Name}:Address"),
                    listener.Port,
                    holder,
                    customerCa);
            }
        });
        return builder;
    }
}
