using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moat.Keys.RootOfTrust.Configuration;
using Moat.Keys.RootOfTrust.DevFile;
using Moat.Keys.RootOfTrust.Pkcs11;

namespace Moat.Keys.RootOfTrust.Tests.Configuration;

public sealed class RootOfTrustConfigurationTests
{
    internal static ServiceProvider Build(Dictionary<string, string?> settings, Func<IServiceProvider, DevFileGuard>? guard = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddRootOfTrust(configuration, guard).BuildServiceProvider();
    }

    private static string Failure(Dictionary<string, string?> settings)
    {
        using var services = Build(settings);
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IRootKeyProvider>());
        return error.Message;
    }

    [Fact]
    public void A_missing_provider_names_the_setting_and_the_allowed_values()
    {
        var message = Failure([]);

        Assert.Contains("Moat:RootOfTrust:Provider is required", message, StringComparison.Ordinal);
        Assert.Contains("'pkcs11', 'dev-file'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_provider_names_the_setting_and_the_allowed_values()
    {
        var message = Failure(new() { ["Moat:RootOfTrust:Provider"] = "vault" });

        Assert.Contains("Moat:RootOfTrust:Provider 'vault' is unknown", message, StringComparison.Ordinal);
        Assert.Contains("'pkcs11', 'dev-file'", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aws-kms")]
    [InlineData("gcp-kms")]
    public void Cloud_providers_are_accepted_by_name_but_not_built_yet(string provider)
    {
        var message = Failure(new() { ["Moat:RootOfTrust:Provider"] = provider });
        Assert.Contains($"Moat:RootOfTrust:Provider '{provider}' is not built yet", message, StringComparison.Ordinal);

        var direct = Assert.Throws<RootOfTrustException>(() =>
            RootKeyProviders.Create(new RootOfTrustOptions { Provider = provider }, () => null, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        Assert.Equal(RootOfTrustFailure.NotBuilt, direct.Reason);
    }

    [Fact]
    public void Pkcs11_settings_are_each_named()
    {
        var message = Failure(new() { ["Moat:RootOfTrust:Provider"] = "pkcs11", ["Moat:RootOfTrust:Pkcs11:MaxSessions"] = "0" });

        Assert.Contains("Moat:RootOfTrust:Pkcs11:LibraryPath is required", message, StringComparison.Ordinal);
        Assert.Contains("Moat:RootOfTrust:Pkcs11:TokenLabel is required", message, StringComparison.Ordinal);
        Assert.Contains("exactly one of PinFile and PinEnvironmentVariable", message, StringComparison.Ordinal);
        Assert.Contains("Moat:RootOfTrust:Pkcs11:MaxSessions must be between 1 and 256", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_pin_sources_are_refused()
    {
        var message = Failure(new()
        {
            ["Moat:RootOfTrust:Provider"] = "pkcs11",
            ["Moat:RootOfTrust:Pkcs11:LibraryPath"] = "/x.so",
            ["Moat:RootOfTrust:Pkcs11:TokenLabel"] = "t",
            ["Moat:RootOfTrust:Pkcs11:PinFile"] = "/pin",
            ["Moat:RootOfTrust:Pkcs11:PinEnvironmentVariable"] = "PIN",
        });

        Assert.Contains("exactly one of PinFile and PinEnvironmentVariable", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_root_key_id_is_named()
    {
        var message = Failure(new() { ["Moat:RootOfTrust:Provider"] = "dev-file", ["Moat:RootOfTrust:DevFile:Directory"] = "/tmp/x", ["Moat:RootOfTrust:RootKeyId"] = "Root Key" });

        Assert.Contains("Moat:RootOfTrust:RootKeyId 'Root Key' must match", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_print_no_pin_and_name_its_source()
    {
        var options = new RootOfTrustOptions { Provider = "pkcs11", Pkcs11 = new Pkcs11Options { LibraryPath = "/lib.so", TokenLabel = "t", PinFile = "/run/secrets/pin" } };

        Assert.Equal("Provider=pkcs11, RootKeyId=root, Pkcs11=(LibraryPath=/lib.so, TokenLabel=t, Pin=***(file /run/secrets/pin), KeyLabelPrefix=moat-, MaxSessions=8)", options.ToString());
    }

    [Fact]
    public async Task Dev_file_is_built_from_configuration_with_the_hosts_guard()
    {
        var directory = Path.Combine(Path.GetTempPath(), "moat-di-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var services = Build(
                new() { ["Moat:RootOfTrust:Provider"] = "dev-file", ["Moat:RootOfTrust:DevFile:Directory"] = directory },
                _ => new DevFileGuard("moat.dev", true, ["127.0.0.1"]));

            var provider = Assert.IsType<DevFileRootKeyProvider>(services.GetRequiredService<IRootKeyProvider>());
            var context = RootKeyContext.ForNamespace("o", "n");
            using var back = await provider.UnwrapAsync(await provider.WrapAsync("root", new byte[32], context), context);
            Assert.Equal(32, back.Length);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, true);
            }
        }
    }

    [Fact]
    public void Dev_file_without_a_guard_is_refused()
    {
        using var services = Build(new() { ["Moat:RootOfTrust:Provider"] = "dev-file", ["Moat:RootOfTrust:DevFile:Directory"] = "/tmp/none" });

        var error = Assert.Throws<RootOfTrustException>(() => services.GetRequiredService<IRootKeyProvider>());

        Assert.Equal(RootOfTrustFailure.Refused, error.Reason);
        Assert.Contains("no DevFileGuard", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dev_file_with_a_production_guard_is_refused_at_resolution()
    {
        using var services = Build(
            new() { ["Moat:RootOfTrust:Provider"] = "dev-file", ["Moat:RootOfTrust:DevFile:Directory"] = "/tmp/none" },
            _ => new DevFileGuard("moat.example.com", true, ["127.0.0.1"]));

        var error = Assert.Throws<RootOfTrustException>(() => services.GetRequiredService<IRootKeyProvider>());

        Assert.Equal(RootOfTrustFailure.Refused, error.Reason);
        Assert.Contains("trust domain is 'moat.example.com'", error.Message, StringComparison.Ordinal);
    }
}
