using Grpc.Core;
using Moat.V1;

namespace Moat.Functional.Tests.Write;

/// <summary>
/// Writes fail closed on the namespace's key (DESIGN section 6): a namespace protected by a
/// customer key stops taking writes within the key-cache TTL of the key being disabled, with
/// KeyVault's reason KEY_DISABLED passed through to the caller and nothing written; enabling the
/// key resumes them.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class KeyStateTests : IAsyncLifetime
{
    private readonly DevStackFixture _stack;
    private readonly WriteTestKit _kit;

    public KeyStateTests(DevStackFixture stack)
    {
        _stack = stack;
        _kit = new WriteTestKit(stack);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_disabled_key_stops_writes_with_key_disabled_and_enabling_it_resumes_them()
    {
        using var channel = GatewayClient.Channel(_stack, _kit.Pki);
        var keys = new KeyService.KeyServiceClient(channel);
        var key = await keys.CreateKeyAsync(new CreateKeyRequest { DisplayName = "write path key test" }, _kit.Key, GatewayClient.Deadline);
        var ns = WriteTestKit.NewName("keyed");
        var config = WriteTestKit.Config();
        config.Encryption = new EncryptionConfig { KeyId = key.Id };
        var created = await _kit.CreateAsync(ns, config);
        Assert.Equal(key.Id, created.Info.Encryption.KeyId);
        var nsid = (await _kit.NamespaceIdAsync(ns))!;
        Assert.Equal(1ul, (await _kit.WriteAsync(WriteTestKit.Upsert(ns, WriteTestKit.Doc(1)))).WalSequence);

        await keys.DisableKeyAsync(new DisableKeyRequest { KeyId = key.Id }, _kit.Key, GatewayClient.Deadline);
        var refused = await UntilAsync(async () =>
        {
            try
            {
                await _kit.WriteAsync(WriteTestKit.Upsert(ns, WriteTestKit.Doc(2)));
                return null;
            }
            catch (RpcException e)
            {
                return e;
            }
        });
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal("KEY_DISABLED", WriteTestKit.Reason(refused));
        var refusedAt = await _kit.VersionAsync(nsid);

        // Refused again, and nothing moves while the key is disabled.
        Assert.Equal("KEY_DISABLED", WriteTestKit.Reason(await Assert.ThrowsAsync<RpcException>(() => _kit.WriteAsync(WriteTestKit.Upsert(ns, WriteTestKit.Doc(3))))));
        Assert.Equal(refusedAt, await _kit.VersionAsync(nsid));

        await keys.EnableKeyAsync(new EnableKeyRequest { KeyId = key.Id }, _kit.Key, GatewayClient.Deadline);
        var resumed = await _kit.WriteAsync(WriteTestKit.Upsert(ns, WriteTestKit.Doc(4)));
        Assert.Equal((ulong)refusedAt + 1, resumed.WalSequence);
    }

    /// <summary>Repeats until the call fails (bounded: twice the key-cache TTL and some).</summary>
    private async Task<RpcException> UntilAsync(Func<Task<RpcException?>> call)
    {
        var deadline = DateTime.UtcNow + (_stack.KeyCacheTtl * 2) + TimeSpan.FromSeconds(3);
        while (true)
        {
            if (await call() is { } failure)
            {
                return failure;
            }

            Assert.True(DateTime.UtcNow < deadline, "writes were still accepted long after the key was disabled");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();
}
