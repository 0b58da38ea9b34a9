using Moat.Hosting.Clients;

namespace Moat.Hosting.Tests;

/// <summary>Retries follow the protos' idempotency_level: reads and create-if-absent retry, anything else never.</summary>
public class IdempotentMethodsTests
{
    [Theory]
    [InlineData("/moat.internal.v1.Directory/Resolve", true)]
    [InlineData("/moat.internal.v1.Directory/Reserve", true)]
    [InlineData("/moat.internal.v1.Directory/AuthenticateApiKey", true)]
    [InlineData("/moat.internal.v1.KeyVault/CheckKeyState", true)]
    [InlineData("/moat.internal.v1.KeyVault/GetCurrentDataKey", true)]
    [InlineData("/moat.internal.v1.Directory/Release", false)]
    [InlineData("/moat.internal.v1.KeyVault/RotateNamespaceKek", false)]
    [InlineData("/moat.internal.v1.KeyVault/DestroyNamespaceKek", false)]
    [InlineData("/moat.internal.v1.KeyVault/SignAuditDigest", false)]
    [InlineData("/moat.v1.WriteService/Write", false)]
    public void Only_rpcs_the_protos_mark_idempotent_are_retried(string method, bool idempotent) =>
        Assert.Equal(idempotent, IdempotentMethods.IsIdempotent(method));
}
