using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Moat.Hosting.Configuration;
using Moat.Keys.RootOfTrust.DevFile;
using Moat.Keys.RootOfTrust.Tests.Support;

namespace Moat.Keys.RootOfTrust.Tests.DevFile;

public sealed class DevFileRootKeyProviderTests : IDisposable
{
    private static readonly DevFileGuard Dev = new("moat.dev", StoreIsLocal: true, ["127.0.0.1:7443", "[::1]:7444", "https://localhost:7445"]);
    private static readonly RootKeyContext Context = RootKeyContext.ForNamespace("org-a", "ns-1");
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "moat-devfile-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
    private readonly ListLogger<DevFileRootKeyProvider> _log = new();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private DevFileRootKeyProvider Provider(DevFileGuard? guard = null) => new(new DevFileOptions { Directory = _directory }, guard ?? Dev, _log);

    [Fact]
    public void The_guard_uses_the_hosting_dev_trust_domain() => Assert.Equal(MoatOptions.DevTrustDomain, DevFileGuard.DevTrustDomain);

    [Fact]
    public void It_is_refused_outside_the_dev_trust_domain()
    {
        var error = Assert.Throws<RootOfTrustException>(() => Provider(Dev with { TrustDomain = "prod.example.com" }));

        Assert.Equal(RootOfTrustFailure.Refused, error.Reason);
        Assert.Contains("the trust domain is 'prod.example.com'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'dev-file' is refused", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void It_is_refused_when_the_store_is_not_local()
    {
        var error = Assert.Throws<RootOfTrustException>(() => Provider(Dev with { StoreIsLocal = false }));

        Assert.Equal(RootOfTrustFailure.Refused, error.Reason);
        Assert.Contains("the object store is not local", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0:7443")]
    [InlineData("[::]:7443")]
    [InlineData("::")]
    [InlineData("10.1.2.3")]
    [InlineData("https://moat.example.com:443")]
    [InlineData("http://*:80")]
    [InlineData("+:80")]
    [InlineData("localhost.example.com:80")]
    public void It_is_refused_when_a_listener_is_not_loopback(string listener)
    {
        var error = Assert.Throws<RootOfTrustException>(() => Provider(Dev with { ListenAddresses = ["127.0.0.1:7443", listener] }));

        Assert.Equal(RootOfTrustFailure.Refused, error.Reason);
        Assert.Contains($"listener '{listener}' is not loopback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void It_is_refused_when_no_listener_is_stated()
    {
        var error = Assert.Throws<RootOfTrustException>(() => Provider(Dev with { ListenAddresses = [] }));

        Assert.Contains("no listen addresses", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2:80")]
    [InlineData("::1")]
    [InlineData("[::1]:5000")]
    [InlineData("localhost")]
    [InlineData("LOCALHOST:8080")]
    [InlineData("https://127.0.0.1:5001")]
    [InlineData("http://[::1]:80/")]
    public void Loopback_listeners_are_recognised(string listener) => Assert.True(DevFileGuard.IsLoopback(listener));

    [Fact]
    public void Using_it_logs_a_loud_warning()
    {
        _ = Provider();

        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal(7100, entry.Id.Id);
        Assert.Contains("ROOT OF TRUST IS A PLAIN FILE", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_root_key_file_is_created_on_first_use_with_mode_0600()
    {
        var provider = Provider();
        Assert.False(await provider.ExistsAsync("root"));

        await provider.WrapAsync("root", new byte[32], Context);

        var path = provider.KeyPath("root");
        Assert.Equal(32, new FileInfo(path).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory));
        Assert.True(await provider.ExistsAsync("root"));
    }

    [Fact]
    public async Task A_kek_round_trips_also_through_a_new_instance()
    {
        var kek = RandomNumberGenerator.GetBytes(32);
        var wrapped = await Provider().WrapAsync("root", kek, Context);

        using var unwrapped = await Provider().UnwrapAsync(WrappedKey.Decode(wrapped.Encode()), Context);

        Assert.True(unwrapped.Span.SequenceEqual(kek));
        Assert.Equal("dev-file", wrapped.Provider);
        Assert.Equal(12 + 32 + 16, wrapped.Ciphertext.Length);
    }

    [Theory]
    [InlineData("org-b", "ns-1")]
    [InlineData("org-a", "ns-2")]
    public async Task A_wrapped_kek_moved_to_another_org_or_namespace_does_not_unwrap(string org, string ns)
    {
        var provider = Provider();
        var wrapped = await provider.WrapAsync("root", RandomNumberGenerator.GetBytes(32), Context);

        var error = await Assert.ThrowsAsync<RootOfTrustException>(() => provider.UnwrapAsync(wrapped, RootKeyContext.ForNamespace(org, ns)));

        Assert.Equal(RootOfTrustFailure.UnwrapFailed, error.Reason);
    }

    [Fact]
    public async Task A_wrap_relabelled_to_another_root_key_does_not_unwrap()
    {
        var provider = Provider();
        await provider.CreateRootKeyAsync("other");
        var wrapped = await provider.WrapAsync("root", RandomNumberGenerator.GetBytes(32), Context);

        var error = await Assert.ThrowsAsync<RootOfTrustException>(() =>
            provider.UnwrapAsync(new WrappedKey("dev-file", "other", "", RootWrapFormat.AesGcm, wrapped.Ciphertext), Context));

        Assert.Equal(RootOfTrustFailure.UnwrapFailed, error.Reason);
    }

    [Fact]
    public async Task A_key_file_readable_by_others_is_refused()
    {
        var provider = Provider();
        var wrapped = await provider.WrapAsync("root", new byte[32], Context);
        File.SetUnixFileMode(provider.KeyPath("root"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = await Assert.ThrowsAsync<RootOfTrustException>(() => provider.UnwrapAsync(wrapped, Context));

        Assert.Equal(RootOfTrustFailure.Refused, error.Reason);
        Assert.Contains("must be 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Destroy_removes_the_file_and_later_unwraps_fail_clearly()
    {
        var provider = Provider();
        var wrapped = await provider.WrapAsync("root", new byte[32], Context);

        await provider.DestroyRootKeyAsync("root");

        Assert.False(File.Exists(provider.KeyPath("root")));
        var error = await Assert.ThrowsAsync<RootOfTrustException>(() => provider.UnwrapAsync(wrapped, Context));
        Assert.Equal(RootOfTrustFailure.KeyNotFound, error.Reason);
    }

    [Fact]
    public async Task Create_refuses_an_existing_label_and_bad_labels()
    {
        var provider = Provider();
        await provider.CreateRootKeyAsync("customer-1");

        var twice = await Assert.ThrowsAsync<RootOfTrustException>(() => provider.CreateRootKeyAsync("customer-1"));
        Assert.Equal(RootOfTrustFailure.KeyAlreadyExists, twice.Reason);
        await Assert.ThrowsAsync<ArgumentException>(() => provider.CreateRootKeyAsync("../escape"));
        await Assert.ThrowsAsync<ArgumentException>(() => provider.CreateRootKeyAsync("Upper"));
    }
}
