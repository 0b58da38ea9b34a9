using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Moat.Audit;
using Moat.Audit.RootOfTrust;
using Moat.Keys.RootOfTrust.DevFile;
using Moat.Storage.ObjectStore;
using Moat.V1;
using AuditEventKind = Moat.Audit.AuditEventKind;

namespace Moat.Functional.Tests;

/// <summary>
/// A customer's view of the audit log: the router's verification key as ListRegions publishes it
/// verifies the router's chain of the org, which holds the API key created and the key checks made.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class AuditEndToEndTests : IDisposable
{
    private readonly DevStackFixture _stack;
    private readonly StackPki _pki;
    private readonly Grpc.Net.Client.GrpcChannel _channel;

    public AuditEndToEndTests(DevStackFixture stack)
    {
        _stack = stack;
        _pki = new StackPki(stack.PkiDir);
        _channel = GatewayClient.Channel(stack, _pki);
    }

    [Fact]
    public async Task The_published_router_key_verifies_the_orgs_router_chain_with_its_changes_and_key_checks()
    {
        var admin = _stack.Profile.GetProperty("api_key").GetString()!;
        var regions = await new RegionService.RegionServiceClient(_channel).ListRegionsAsync(new ListRegionsRequest(), GatewayClient.Key(admin), GatewayClient.Deadline);
        var region = Assert.Single(regions.Regions);
        Assert.Equal("dev-local", region.Name);
        Assert.Equal(_stack.GatewayEndpoint, region.Endpoint);
        Assert.True(region.AllowedByResidencyPolicy);
        var published = Assert.Single(regions.RouterAuditKeys);
        Assert.Equal(SignatureAlgorithm.EcdsaP256Sha256, published.Algorithm);

        var created = await new AccessService.AccessServiceClient(_channel).CreateApiKeyAsync(new CreateApiKeyRequest { Role = Role.Read, DisplayName = "audited" }, GatewayClient.Key(admin), GatewayClient.Deadline);
        await Assert.ThrowsAsync<RpcException>(() => new AccessService.AccessServiceClient(_channel).WhoAmIAsync(new WhoAmIRequest(), GatewayClient.Key("moat_0123456789abcdef_" + new string('A', 43)), GatewayClient.Deadline).ResponseAsync);
        await new AccessService.AccessServiceClient(_channel).WhoAmIAsync(new WhoAmIRequest(), GatewayClient.Key(created.Secret), GatewayClient.Deadline);

        // Key checks are aggregated and flushed within seconds.
        var routerStoreDir = Path.Combine(_stack.StateDir, "data", "router");
        using var trusted = new AuditTrustedKeys(new Moat.Audit.AuditVerificationKey(published.KeyId, published.PublicKeySpki.Span));
        var root = new DevFileRootKeyProvider(new DevFileOptions { Directory = Path.Combine(_stack.StateDir, "data", "root-of-trust", "router") }, new DevFileGuard("moat.dev", true, ["127.0.0.1"]), NullLogger<DevFileRootKeyProvider>.Instance);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var store = new LocalFileSystemStore(routerStoreDir, "global");
            using var keys = new RootWrappedAuditKeyProvider(store, root, "root", TimeProvider.System);
            var result = await AuditVerifier.VerifyAsync(store, "dev", keys.GetDataKeySource("dev"), trusted, new AuditVerifyOptions { CollectRecords = true });
            Assert.True(result.IsValid, $"first broken link: {result.FirstBrokenLink}");
            var created_ = result.Records.Any(r => r.Event.Kind == AuditEventKind.ApiKeyChange && r.Event.Subject?.Value == $"api-key:{created.ApiKey.Id}:created:Read");
            var checkedKey = result.Records.Any(r => r.Event.Kind == AuditEventKind.Authentication && r.Event.Principal.ApiKeyId?.Value == created.ApiKey.Id && r.Count >= 1);
            if (created_ && checkedKey)
            {
                Assert.Contains(result.Records, r => r.Event.Kind == AuditEventKind.Bootstrap);
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"records not found: created={created_}, key check={checkedKey}");
            await Task.Delay(500);
        }
    }

    [Fact]
    public async Task The_region_chains_of_gateway_and_keys_verify_with_the_regions_audit_key()
    {
        var admin = _stack.Profile.GetProperty("api_key").GetString()!;
        var key = await new KeyService.KeyServiceClient(_channel).CreateKeyAsync(new CreateKeyRequest { DisplayName = "audited key" }, GatewayClient.Key(admin), GatewayClient.Deadline);

        // The region's audit key as ListRegions publishes it.
        var regions = await new RegionService.RegionServiceClient(_channel).ListRegionsAsync(new ListRegionsRequest(), GatewayClient.Key(admin), GatewayClient.Deadline);
        var published = Assert.Single(Assert.Single(regions.Regions).AuditKeys);
        Assert.Equal("keys", published.Signer);
        using var trusted = new AuditTrustedKeys(new Moat.Audit.AuditVerificationKey(published.KeyId, published.PublicKeySpki.Span));

        // Batches are sealed under the org's audit keyring, which KeyVault hands to the region's services.
        using var writeCert = _pki.Service("write");
        using var vaultChannel = MtlsClient.Channel($"https://127.0.0.1:{_stack.InternalPorts["keys"]}", _pki.Root, writeCert, _pki.ServiceCa);
        using var auditKeys = new Moat.Audit.KeyVault.KeyVaultAuditKeyProvider(new Moat.Internal.V1.KeyVault.KeyVaultClient(vaultChannel));
        using var store = new LocalFileSystemStore(Path.Combine(_stack.StateDir, "data", "store"), "dev-local");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var result = await AuditVerifier.VerifyAsync(store, "dev", auditKeys.GetDataKeySource("dev"), trusted, new AuditVerifyOptions { CollectRecords = true });
            Assert.True(result.IsValid, $"first broken link: {result.FirstBrokenLink}");
            var keyCreated = result.Records.Any(r => r.Writer.StartsWith("keys.", StringComparison.Ordinal) && r.Event.Kind == AuditEventKind.KeyOperation && r.Event.Key?.KeyId.Value == key.Id);
            var gatewayAuth = result.Records.Any(r => r.Writer.StartsWith("gateway.", StringComparison.Ordinal) && r.Event.Kind == AuditEventKind.Authentication);
            if (keyCreated && gatewayAuth)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"records not found: key created={keyCreated}, gateway authentication={gatewayAuth}");
            await Task.Delay(500);
        }
    }

    public void Dispose()
    {
        _channel.Dispose();
        _pki.Dispose();
    }
}
