using System.Net;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moat.Hosting.Configuration;
using Moat.Hosting.Errors;
using Moat.Hosting.Identity;
using Moat.Hosting.Principals;
using Moat.Hosting.Tls;

namespace Moat.Hosting;

/// <summary>One call per host: everything every Moat service shares (STYLE habit 1).</summary>
public static class MoatHostingExtensions
{
    /// <summary>
    /// mTLS-only Kestrel on the internal listener, SPIFFE identity and the call matrix, error mapping,
    /// health, options validated at start.
    /// </summary>
    public static WebApplicationBuilder AddMoatDefaults(this WebApplicationBuilder builder, string service)
    {
        if (!MoatServices.IsKnown(service))
        {
            throw new ArgumentOutOfRangeException(nameof(service), service, "not a Moat service");
        }

        var services = builder.Services;
        services.AddOptions<MoatOptions>()
            .BindConfiguration(MoatOptions.Section)
            .PostConfigure(o => o.Service = service)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<MoatTlsOptions>()
            .BindConfiguration(MoatTlsOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton(sp => TrustBundle.Load(
            sp.GetRequiredService<IOptions<MoatTlsOptions>>().Value,
            sp.GetRequiredService<IOptions<MoatOptions>>().Value.TrustDomain));
        services.AddSingleton(sp => new CertificateHolder(
            sp.GetRequiredService<IOptions<MoatTlsOptions>>().Value,
            sp.GetRequiredService<TrustBundle>(),
            sp.GetRequiredService<ILogger<CertificateHolder>>()));
        services.AddSingleton<ListenerRegistry>();
        services.AddSingleton<PrincipalSigner>();
        services.AddSingleton(sp => new PrincipalVerifier(
            sp.GetRequiredService<TrustBundle>(),
            service,
            sp.GetRequiredService<IOptions<MoatOptions>>().Value.Region,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(TimeProvider.System);

        // Interceptor order (STYLE habit 9), outermost first: error mapping wraps everything so it
        // sees every exception; then the call policy (authn/authz of the peer); then the principal
        // (who the call acts for); then what a host adds with Configure<GrpcServiceOptions>.
        services.AddGrpc(o =>
        {
            o.Interceptors.Add<ErrorMappingInterceptor>();
            o.Interceptors.Add<CallPolicyInterceptor>();
            o.Interceptors.Add<PrincipalInterceptor>();
            o.EnableDetailedErrors = false;
            o.MaxReceiveMessageSize = 64 * 1024 * 1024;
        });
        // "self": the process is up and serving; features add checks for what they depend on.
        services.AddGrpcHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy());

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            // Kestrel is configured while the app is built, before options are validated at start:
            // read raw settings here and never throw; ValidateOnStart stops the service with a
            // clear message when they are wrong, and the TLS material is resolved per connection.
            kestrel.AddServerHeader = false;
            var options = context.Configuration.GetSection(MoatOptions.Section).Get<MoatOptions>() ?? new MoatOptions();
            if (IPAddress.TryParse(options.ListenAddress, out var address) && options.Port is > 0 and <= 65535)
            {
                kestrel.ListenMutualTls(address, options.Port, kestrel.ApplicationServices);
            }
        });
        return builder;
    }

    /// <summary>Maps what every host serves: <c>grpc.health.v1.Health</c>.</summary>
    public static WebApplication MapMoatDefaults(this WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        return app;
    }

    /// <summary>
    /// Runs the host. A missing or unreadable certificate or an invalid setting stops the service
    /// with a message naming it, and exit code 2.
    /// </summary>
    public static async Task<int> RunMoatAsync(this WebApplication app)
    {
        // A failed start disposes the host: take what the error message needs first.
        var name = app.Environment.ApplicationName;
        try
        {
            // Resolve what must exist before anything listens, so the failure is clear and early.
            _ = app.Services.GetRequiredService<IOptions<MoatOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<MoatTlsOptions>>().Value;
            _ = app.Services.GetRequiredService<CertificateHolder>();
            await app.StartAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Anything that stops a start (a missing file, an invalid setting, an unreachable HSM)
            // ends the process with its message and exit code 2, never half up.
            await Console.Error.WriteLineAsync($"moat: {name} cannot start: {StartupFailure(e)}");
            await app.DisposeAsync();
            return 2;
        }

        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        return 0;
    }

    public static IPAddress ParseAddress(string value, string setting) =>
        IPAddress.TryParse(value, out var address)
            ? address
            : throw new MoatStartupException($"{setting} '{value}' is not an IP address.");

    private static string StartupFailure(Exception e)
    {
        if (e is AggregateException aggregate)
        {
            return string.Join("; ", aggregate.InnerExceptions.Select(StartupFailure));
        }

        for (var current = e; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case MoatStartupException startup:
                    return startup.Message;
                case OptionsValidationException validation:
                    return string.Join("; ", validation.Failures);
            }
        }

        return e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
    }
}
