using Microsoft.Extensions.DependencyInjection;
using Moat.Keys.RootOfTrust.Pkcs11;
using Moat.Keys.RootOfTrust.Tests.Configuration;
using Moat.Keys.RootOfTrust.Tests.Support;

namespace Moat.Keys.RootOfTrust.Tests.Pkcs11;

[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11ConfigurationTests(SoftHsmFixture hsm)
{
    [Fact]
    public async Task Pkcs11_is_built_from_configuration()
    {
        using var services = RootOfTrustConfigurationTests.Build(new()
        {
            ["Moat:RootOfTrust:Provider"] = "pkcs11",
            ["Moat:RootOfTrust:Pkcs11:LibraryPath"] = SoftHsmFixture.Library,
            ["Moat:RootOfTrust:Pkcs11:TokenLabel"] = hsm.TokenLabel,
            ["Moat:RootOfTrust:Pkcs11:PinFile"] = hsm.PinFile,
            ["Moat:RootOfTrust:Pkcs11:MaxSessions"] = "2",
        });

        var provider = Assert.IsType<Pkcs11RootKeyProvider>(services.GetRequiredService<IRootKeyProvider>());
        var id = await provider.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("di"));
        var context = RootKeyContext.ForNamespace("o", "n");
        using var back = await provider.UnwrapAsync(await provider.WrapAsync(id, new byte[32], context), context);

        Assert.Equal(32, back.Length);
    }
}
