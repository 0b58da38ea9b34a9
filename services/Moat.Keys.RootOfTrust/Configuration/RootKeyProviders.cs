using Microsoft.Extensions.Logging;
using Moat.Keys.RootOfTrust.DevFile;
using Moat.Keys.RootOfTrust.Pkcs11;

namespace Moat.Keys.RootOfTrust.Configuration;

/// <summary>Builds the provider <see cref="RootOfTrustOptions.Provider"/> names (used by DI and by tools without a container).</summary>
public static class RootKeyProviders
{
    /// <exception cref="RootOfTrustException">Invalid options (<see cref="RootOfTrustFailure.Refused"/>), a provider not built yet
    /// (<see cref="RootOfTrustFailure.NotBuilt"/>), or the provider's own start-up failure.</exception>
    public static IRootKeyProvider Create(RootOfTrustOptions options, Func<DevFileGuard?> devFileGuard, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(devFileGuard);
        ArgumentNullException.ThrowIfNull(loggers);
        if (options.Provider is RootOfTrustProviders.AwsKms or RootOfTrustProviders.GcpKms)
        {
            throw new RootOfTrustException(RootOfTrustFailure.NotBuilt,
                $"{RootOfTrustOptions.Section}:Provider '{options.Provider}' is not built yet; this build supports {RootOfTrustProviders.AllowedList}.");
        }

        var failures = RootOfTrustOptionsValidator.Failures(options);
        if (failures.Count > 0)
        {
            throw new RootOfTrustException(RootOfTrustFailure.Refused, string.Join(" ", failures));
        }

        return options.Provider switch
        {
            RootOfTrustProviders.Pkcs11 => new Pkcs11RootKeyProvider(options.Pkcs11, loggers.CreateLogger<Pkcs11RootKeyProvider>()),
            RootOfTrustProviders.DevFile => new DevFileRootKeyProvider(options.DevFile,
                devFileGuard() ?? throw new RootOfTrustException(RootOfTrustFailure.Refused,
                    $"{RootOfTrustOptions.Section}:Provider 'dev-file' is refused: the host did not state its trust domain, store and listeners (no DevFileGuard)."),
                loggers.CreateLogger<DevFileRootKeyProvider>()),
            _ => throw new RootOfTrustException(RootOfTrustFailure.Refused, $"{RootOfTrustOptions.Section}:Provider '{options.Provider}' is unknown."),
        };
    }
}
