using Microsoft.Extensions.Logging.Abstractions;
using Moat.Internal.V1;
using Moat.Keys.RootOfTrust.DevFile;
using Moat.Storage.Sealing;
using Moat.V1;

namespace Moat.Keys.Tests;

/// <summary>Both rotations of DESIGN section 6, end to end through KeyService and KeyVault.</summary>
public sealed class RotationTests : IAsyncLifetime
{
    private KeysHost _host = null!;

    public async Task InitializeAsync() => _host = await KeysHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task CreateNamespaceAsync(string ns, string nsid, string keyId) =>
        await _host.Vault("write").CreateNamespaceKekAsync(
            new CreateNamespaceKekRequest { Org = KeysHost.Org, NamespaceId = nsid, NamespaceName = ns, KeyId = keyId },
            KeysHost.With(_host.Principal("write", "/moat.v1.WriteService/Write", Role.Write, ns: ns)));

    private byte[] Caller(string ns, string nsid, Role role = Role.Write) =>
        _host.Principal("write", "/moat.v1.WriteService/Write", role, ns: ns, nsid: nsid);

    private async Task<DataKey> CurrentAsync(string ns, string nsid) =>
        (await _host.Vault("write").GetCurrentDataKeyAsync(new GetCurrentDataKeyRequest { Org = KeysHost.Org, NamespaceId = nsid, Purpose = KeyPurpose.CallerRequest }, KeysHost.With(Caller(ns, nsid)))).Key;

    [Fact]
    public async Task After_a_customer_key_rotation_and_destroying_the_old_version_every_namespace_still_unwraps()
    {
        var keys = _host.KeyService();
        var key = await keys.CreateKeyAsync(new CreateKeyRequest { DisplayName = "shared by two tenants" }, _host.Admin("CreateKey"));
        await CreateNamespaceAsync("tenant-a", "ns_rot_a", key.Id);
        await CreateNamespaceAsync("tenant-b", "ns_rot_b", key.Id);
        var beforeA = await CurrentAsync("tenant-a", "ns_rot_a");
        var beforeB = await CurrentAsync("tenant-b", "ns_rot_b");

        var rotated = await keys.RotateKeyAsync(new RotateKeyRequest { KeyId = key.Id }, _host.Admin("RotateKey"));
        Assert.Equal(2, rotated.Key.Versions.Count);
        Assert.True(rotated.Key.Versions.Single(v => v.Version == 2).Primary);
        Assert.Equal(0UL, rotated.Key.Versions.Single(v => v.Version == 1).WrappedKekCount);
        Assert.Equal(2UL, rotated.Key.Versions.Single(v => v.Version == 2).WrappedKekCount);

        // The old version is no longer needed: destroy it in the root of trust.
        var rootOfTrust = new DevFileRootKeyProvider(new DevFileOptions { Directory = _host.RootOfTrustDir }, new DevFileGuard("moat.dev", true, ["127.0.0.1"]), NullLogger<DevFileRootKeyProvider>.Instance);
        var oldVersion = $"ck.{key.Id.Replace('_', '-')}.v1";
        Assert.True(await rootOfTrust.ExistsAsync(oldVersion));
        await rootOfTrust.DestroyRootKeyAsync(oldVersion);

        Assert.Equal(beforeA.Key, (await CurrentAsync("tenant-a", "ns_rot_a")).Key);
        Assert.Equal(beforeB.Key, (await CurrentAsync("tenant-b", "ns_rot_b")).Key);
    }

    [Fact]
    public async Task After_a_namespace_kek_rotation_objects_written_before_and_after_both_read()
    {
        const string ns = "docs";
        const string nsid = "ns_rot_kek";
        await CreateNamespaceAsync(ns, nsid, string.Empty);
        var before = await CurrentAsync(ns, nsid);
        var path1 = $"v1/ns/{nsid}/seg/before";
        var sealed1 = SealedObjectWriter.Seal("written before the rotation"u8, path1, (long)before.Ref.KeyringVersion, before.Ref.DekId, before.Key.Span);

        var rotated = await _host.Vault("write").RotateNamespaceKekAsync(
            new RotateNamespaceKekRequest { Org = KeysHost.Org, NamespaceId = nsid, Purpose = KeyPurpose.CallerRequest },
            KeysHost.With(Caller(ns, nsid, Role.Admin)));
        Assert.Equal(2UL, rotated.KekVersion);
        Assert.Equal(2UL, rotated.KeyringVersion);

        var after = await CurrentAsync(ns, nsid);
        Assert.Equal(2UL, after.Ref.KeyringVersion);
        var path2 = $"v1/ns/{nsid}/seg/after";
        var sealed2 = SealedObjectWriter.Seal("written after the rotation"u8, path2, (long)after.Ref.KeyringVersion, after.Ref.DekId, after.Key.Span);

        var request = new UnwrapDataKeysRequest { Org = KeysHost.Org, NamespaceId = nsid, Purpose = KeyPurpose.CallerRequest };
        request.Refs.Add(before.Ref);
        request.Refs.Add(after.Ref);
        var unwrapped = await _host.Vault("write").UnwrapDataKeysAsync(request, KeysHost.With(Caller(ns, nsid)));
        var plain1 = new byte[64];
        var plain2 = new byte[64];
        var n1 = SealedObjectReader.Unseal(sealed1, plain1, path1, unwrapped.Keys[0].Key.Span);
        var n2 = SealedObjectReader.Unseal(sealed2, plain2, path2, unwrapped.Keys[1].Key.Span);
        Assert.Equal("written before the rotation", System.Text.Encoding.UTF8.GetString(plain1, 0, n1));
        Assert.Equal("written after the rotation", System.Text.Encoding.UTF8.GetString(plain2, 0, n2));

        // A read-role principal may not rotate.
        await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => _host.Vault("write").RotateNamespaceKekAsync(
            new RotateNamespaceKekRequest { Org = KeysHost.Org, NamespaceId = nsid, Purpose = KeyPurpose.CallerRequest },
            KeysHost.With(Caller(ns, nsid, Role.Read))).ResponseAsync);
    }
}
