using System.Text;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.Keys.Client;
using Moat.Keys.RootOfTrust.DevFile;
using Moat.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Moat.Keys.Tests;

/// <summary>
/// A customer key's whole life at the KeyVault level: disable (refused, caches dropped within the
/// TTL), enable, schedule and cancel destruction, then destruction completed when the days have
/// passed on the host's fake clock — KEY_DESTROYED, and no version of the wrapped KEK left anywhere.
/// </summary>
public sealed class KeyLifecycleTests : IAsyncLifetime
{
    private const string Ns = "invoices";
    private const string Nsid = "ns_life01";
    private static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(2);
    private KeysHost _host = null!;

    public async Task InitializeAsync() => _host = await KeysHost.StartAsync(CacheTtl);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private byte[] CallerPrincipal(string audience = "query") =>
        _host.Principal(audience, audience == "query" ? "/moat.v1.QueryService/Query" : "/moat.v1.WriteService/Write", Role.Write, ns: Ns, nsid: Nsid);

    private Task<GetCurrentDataKeyResponse> GetKeyAsync() =>
        _host.Vault("query").GetCurrentDataKeyAsync(new GetCurrentDataKeyRequest { Org = KeysHost.Org, NamespaceId = Nsid, Purpose = KeyPurpose.CallerRequest }, KeysHost.With(CallerPrincipal())).ResponseAsync;

    private async Task RefusedAsync(string reason)
    {
        var e = await Assert.ThrowsAsync<RpcException>(GetKeyAsync);
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal(reason, RpcErrors.ReasonOf(e));
    }

    [Fact]
    public async Task Disable_enable_schedule_cancel_and_destroy()
    {
        var keys = _host.KeyService();
        var key = await keys.CreateKeyAsync(new CreateKeyRequest { DisplayName = "customer-a" }, _host.Admin("CreateKey"));
        Assert.Equal(KeyState.Enabled, key.State);
        await _host.Vault("write").CreateNamespaceKekAsync(
            new CreateNamespaceKekRequest { Org = KeysHost.Org, NamespaceId = Nsid, NamespaceName = Ns, KeyId = key.Id },
            KeysHost.With(CallerPrincipal("write")));
        var first = await GetKeyAsync();

        // A service's cache holds the key; its drop listener must fire within the TTL of a disable.
        await using var cache = new NamespaceKeyCache(_host.Vault("query"), new KeyCacheOptions { Ttl = CacheTtl }, TimeProvider.System);
        var dropped = new TaskCompletionSource<NamespaceKeyUnusable>(TaskCreationOptions.RunContinuationsAsynchronously);
        cache.OnUnusable(e => dropped.TrySetResult(e));
        var (_, cached) = await cache.GetCurrentAsync(KeysHost.Org, Nsid, KeyPurpose.CallerRequest, CallerPrincipal(), CancellationToken.None);
        Assert.Equal(first.Key.Key.ToByteArray(), cached.ToArray());

        // Disable: refused at once; the cache drops (and zeroes) the key within its TTL.
        Assert.Equal(KeyState.Disabled, (await keys.DisableKeyAsync(new DisableKeyRequest { KeyId = key.Id }, _host.Admin("DisableKey"))).State);
        await RefusedAsync("KEY_DISABLED");
        var drop = await dropped.Task.WaitAsync(CacheTtl + TimeSpan.FromSeconds(3));
        Assert.Equal(Nsid, drop.NamespaceId);
        Assert.Equal(ErrorReason.KeyDisabled, drop.Reason);
        Assert.False(cache.Holds(Nsid));
        Assert.True(cached.ToArray().All(b => b == 0), "a dropped key is zeroed in memory");
        await Assert.ThrowsAsync<RpcException>(() => cache.GetCurrentAsync(KeysHost.Org, Nsid, KeyPurpose.CallerRequest, CallerPrincipal(), CancellationToken.None));

        // An illegal transition is refused with its reason.
        var illegal = await Assert.ThrowsAsync<RpcException>(() => keys.CancelKeyDestructionAsync(new CancelKeyDestructionRequest { KeyId = key.Id }, _host.Admin("CancelKeyDestruction")).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, illegal.StatusCode);
        Assert.Equal("ILLEGAL_KEY_STATE_TRANSITION", RpcErrors.ReasonOf(illegal));

        // Enable: works again, same data key.
        await keys.EnableKeyAsync(new EnableKeyRequest { KeyId = key.Id }, _host.Admin("EnableKey"));
        Assert.Equal(first.Key.Key, (await GetKeyAsync()).Key.Key);

        // Schedule destruction (out of range refused), then cancel: works again.
        var outOfRange = await Assert.ThrowsAsync<RpcException>(() => keys.ScheduleKeyDestructionAsync(new ScheduleKeyDestructionRequest { KeyId = key.Id, PendingDays = 3 }, _host.Admin("ScheduleKeyDestruction")).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, outOfRange.StatusCode);
        var scheduled = await keys.ScheduleKeyDestructionAsync(new ScheduleKeyDestructionRequest { KeyId = key.Id, PendingDays = 7 }, _host.Admin("ScheduleKeyDestruction"));
        Assert.Equal(KeyState.PendingDestruction, scheduled.Key.State);
        Assert.Equal(Ns, Assert.Single(scheduled.DependentNamespaces).Namespace);
        await RefusedAsync("KEY_DISABLED");
        Assert.Equal(KeyState.Enabled, (await keys.CancelKeyDestructionAsync(new CancelKeyDestructionRequest { KeyId = key.Id }, _host.Admin("CancelKeyDestruction"))).State);
        Assert.Equal(first.Key.Key, (await GetKeyAsync()).Key.Key);

        // Default window is 30 days; schedule again and let the days pass on the host's clock.
        var final = await keys.ScheduleKeyDestructionAsync(new ScheduleKeyDestructionRequest { KeyId = key.Id }, _host.Admin("ScheduleKeyDestruction"));
        Assert.InRange(final.Key.DestroyAfter.Seconds, _host.Time.GetUtcNow().AddDays(30).ToUnixTimeSeconds() - 5, _host.Time.GetUtcNow().AddDays(30).ToUnixTimeSeconds() + 5);
        var wrappedBefore = await WrappedKekBytesAsync();
        Assert.NotEmpty(wrappedBefore);
        _host.Time.Advance(TimeSpan.FromDays(29));
        Assert.Equal(KeyState.PendingDestruction, (await keys.GetKeyAsync(new GetKeyRequest { KeyId = key.Id }, _host.Admin("GetKey"))).State);
        _host.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(2));
        await WaitForAsync(async () => (await keys.GetKeyAsync(new GetKeyRequest { KeyId = key.Id }, _host.Admin("GetKey"))).State == KeyState.Destroyed);

        await RefusedAsync("KEY_DESTROYED");
        var cannotEnable = await Assert.ThrowsAsync<RpcException>(() => keys.EnableKeyAsync(new EnableKeyRequest { KeyId = key.Id }, _host.Admin("EnableKey")).ResponseAsync);
        Assert.Equal("ILLEGAL_KEY_STATE_TRANSITION", RpcErrors.ReasonOf(cannotEnable));

        // No version of the wrapped KEK is left in the key store, and the key's versions are gone
        // from the root of trust.
        foreach (var file in System.IO.Directory.EnumerateFiles(_host.KeyStoreDir, "*", SearchOption.AllDirectories))
        {
            var content = await File.ReadAllBytesAsync(file);
            foreach (var wrapped in wrappedBefore)
            {
                Assert.False(Contains(content, Encoding.ASCII.GetBytes(wrapped)), $"{file} still holds a wrapped KEK");
            }
        }

        var rootOfTrust = new DevFileRootKeyProvider(new DevFileOptions { Directory = _host.RootOfTrustDir }, new DevFileGuard("moat.dev", true, ["127.0.0.1"]), NullLogger<DevFileRootKeyProvider>.Instance);
        foreach (var version in key.Versions)
        {
            Assert.False(await rootOfTrust.ExistsAsync($"ck.{key.Id.Replace('_', '-')}.v{version.Version}"));
        }
    }

    private async Task<List<string>> WrappedKekBytesAsync()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await _host.ReadKeyStoreAsync($"keks/{Nsid}"));
        return [.. doc.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("wrapped").GetString()!).Where(w => w.Length > 0)];
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(100);
        }
    }
}
