using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Testing;
using Moat.V1;

namespace Moat.Functional.Tests;

/// <summary>
/// The public door end to end: API keys checked against the router, roles enforced by the gateway,
/// calls forwarded over mTLS to the region's service, which sees the caller's org and role.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class GatewayAuthTests : IDisposable
{
    private readonly DevStackFixture _stack;
    private readonly StackPki _pki;
    private readonly Grpc.Net.Client.GrpcChannel _channel;

    public GatewayAuthTests(DevStackFixture stack)
    {
        _stack = stack;
        _pki = new StackPki(stack.PkiDir);
        _channel = GatewayClient.Channel(stack, _pki);
    }

    private string AdminKey => _stack.Profile.GetProperty("api_key").GetString()!;

    private AccessService.AccessServiceClient Access => new(_channel);

    private async Task<string> CreateKeyAsync(Role role, DateTimeOffset? expiresAt = null)
    {
        var reply = await Access.CreateApiKeyAsync(
            new CreateApiKeyRequest { Role = role, DisplayName = $"test {role}", ExpiresAt = expiresAt is { } e ? Timestamp.FromDateTimeOffset(e) : null },
            GatewayClient.Key(AdminKey), GatewayClient.Deadline);
        return reply.Secret;
    }

    [Fact]
    public async Task The_profile_key_reaches_the_router_which_sees_the_org_role_and_endpoint()
    {
        var me = await Access.WhoAmIAsync(new WhoAmIRequest(), GatewayClient.Key(AdminKey), GatewayClient.Deadline);
        Assert.Equal(_stack.Profile.GetProperty("org").GetString(), me.Org);
        Assert.Equal("dev", me.Org);
        Assert.Equal(Role.Admin, me.Role);
        Assert.Equal("loopback-dev", me.EndpointId);
        Assert.Equal("dev-local", me.Region);
        Assert.False(string.IsNullOrEmpty(me.ApiKeyId));
        Assert.StartsWith($"moat_{me.ApiKeyId}_", AdminKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_public_service_is_reached_in_its_own_process()
    {
        // Past the gateway, each service answers for itself: the write and query services for a
        // namespace that does not exist, and write's own UNIMPLEMENTED for a capability that comes later.
        var write = await Assert.ThrowsAsync<RpcException>(() => new WriteService.WriteServiceClient(_channel).WriteAsync(new WriteRequest { Namespace = "docs" }, GatewayClient.Key(AdminKey), GatewayClient.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, write.StatusCode);
        Assert.Equal("NAMESPACE_NOT_FOUND", RpcErrors.ReasonOf(write));
        var schema = await Assert.ThrowsAsync<RpcException>(() => new WriteService.WriteServiceClient(_channel).UpdateSchemaAsync(new UpdateSchemaRequest { Namespace = "docs" }, GatewayClient.Key(AdminKey), GatewayClient.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, schema.StatusCode);
        Assert.Equal("CAPABILITY_NOT_BUILT", RpcErrors.ReasonOf(schema));
        Assert.Contains("moat.v1.WriteService/UpdateSchema", schema.Status.Detail, StringComparison.Ordinal);

        var query = await Assert.ThrowsAsync<RpcException>(() => new QueryService.QueryServiceClient(_channel).QueryAsync(new QueryRequest { Namespace = "docs" }, GatewayClient.Key(AdminKey), GatewayClient.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, query.StatusCode);
        Assert.Equal("NAMESPACE_NOT_FOUND", RpcErrors.ReasonOf(query));

        // The keys service answers for the caller's org: a key created through the gateway is listed.
        var keys = new KeyService.KeyServiceClient(_channel);
        var created = await keys.CreateKeyAsync(new CreateKeyRequest { DisplayName = "through the gateway" }, GatewayClient.Key(AdminKey), GatewayClient.Deadline);
        Assert.Equal(KeyState.Enabled, created.State);
        var listed = await keys.ListKeysAsync(new ListKeysRequest(), GatewayClient.Key(AdminKey), GatewayClient.Deadline);
        Assert.Contains(listed.Keys, k => k.Id == created.Id);

        // Key management needs an admin key.
        var readKey = await CreateKeyAsync(Role.Read);
        var denied = await Assert.ThrowsAsync<RpcException>(() => keys.ListKeysAsync(new ListKeysRequest(), GatewayClient.Key(readKey), GatewayClient.Deadline).ResponseAsync);
        Assert.Equal("ROLE_NOT_ALLOWED", RpcErrors.ReasonOf(denied));
    }

    [Fact]
    public async Task No_key_is_unauthenticated()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Access.WhoAmIAsync(new WhoAmIRequest(), GatewayClient.Key(null), GatewayClient.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Equal("API_KEY_MISSING", RpcErrors.ReasonOf(e));
    }

    [Theory]
    [InlineData("moat_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("moat_nonsense")]
    [InlineData("sk-not-a-moat-key")]
    public async Task A_wrong_key_is_unauthenticated(string key)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Access.WhoAmIAsync(new WhoAmIRequest(), GatewayClient.Key(key), GatewayClient.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Equal("API_KEY_INVALID", RpcErrors.ReasonOf(e));
    }

    [Fact]
    public async Task A_right_id_with_a_wrong_secret_is_unauthenticated()
    {
        var key = await CreateKeyAsync(Role.Read);
        var tampered = key[..^4] + (key[^4..] == "AAAA" ? "BBBB" : "AAAA");
        var e = await Assert.ThrowsAsync<RpcException>(() => Access.WhoAmIAsync(new WhoAmIRequest(), GatewayClient.Key(tampered), GatewayClient.Deadline).ResponseAsync);
        Assert.Equal("API_KEY_INVALID", RpcErrors.ReasonOf(e));
    }

    [Fact]
    public async Task An_expired_key_is_unauthenticated()
    {
        var key = await CreateKeyAsync(Role.Read, DateTimeOffset.UtcNow.AddSeconds(2));
        var before = await Access.WhoAmIAsync(new WhoAmIRequest(), GatewayClient.Key(key), GatewayClient.Deadline);
        Assert.Equal(Role.Read, before.Role);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var e = await Assert.ThrowsAsync<RpcException>(() => Access.WhoAmIAsync(new WhoAmIRequest(), GatewayClient.Key(key), GatewayClient.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Equal("API_KEY_EXPIRED", RpcErrors.ReasonOf(e));
    }

    [Fact]
    public async Task A_revoked_key_stops_working_within_the_cache_ttl()
    {
        var key = await CreateKeyAsync(Role.Read);
        var me = await Access.WhoAmIAsync(new WhoAmIRequest(), GatewayClient.Key(key), GatewayClient.Deadline);
        await Access.RevokeApiKeyAsync(new RevokeApiKeyRequest { ApiKeyId = me.ApiKeyId }, GatewayClient.Key(AdminKey), GatewayClient.Deadline);
        await Task.Delay(_stack.AuthCacheTtl + TimeSpan.FromMilliseconds(500));
        var e = await Assert.ThrowsAsync<RpcException>(() => Access.WhoAmIAsync(new WhoAmIRequest(), GatewayClient.Key(key), GatewayClient.Deadline).ResponseAsync);
        Assert.Equal("API_KEY_REVOKED", RpcErrors.ReasonOf(e));
    }

    [Fact]
    public async Task A_read_key_may_read_but_not_write()
    {
        var key = await CreateKeyAsync(Role.Read);
        var me = await Access.WhoAmIAsync(new WhoAmIRequest(), GatewayClient.Key(key), GatewayClient.Deadline);
        Assert.Equal(Role.Read, me.Role);

        var e = await Assert.ThrowsAsync<RpcException>(() => new WriteService.WriteServiceClient(_channel).WriteAsync(new WriteRequest { Namespace = "docs" }, GatewayClient.Key(key), GatewayClient.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Equal("ROLE_NOT_ALLOWED", RpcErrors.ReasonOf(e));

        var admin = await Assert.ThrowsAsync<RpcException>(() => Access.CreateApiKeyAsync(new CreateApiKeyRequest { Role = Role.Admin }, GatewayClient.Key(key), GatewayClient.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, admin.StatusCode);
        Assert.Equal("ROLE_NOT_ALLOWED", RpcErrors.ReasonOf(admin));
    }

    [Fact]
    public async Task A_client_sent_principal_never_reaches_a_service()
    {
        var key = await CreateKeyAsync(Role.Read);
        using var gatewayCert = _pki.Service("gateway");
        var forged = TestPrincipals.Sign(TestPrincipals.Token("evil-org", Role.Admin, "router", "/moat.v1.AccessService/WhoAmI", string.Empty), gatewayCert);
        var metadata = GatewayClient.Key(key, ("moat-caller", "evil"));
        metadata.Add("moat-principal-bin", forged);
        var me = await Access.WhoAmIAsync(new WhoAmIRequest(), metadata, GatewayClient.Deadline);
        Assert.Equal("dev", me.Org);
        Assert.Equal(Role.Read, me.Role);
    }

    [Fact]
    public async Task Bad_input_gets_invalid_argument_with_the_field_named()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Access.CreateApiKeyAsync(new CreateApiKeyRequest { Role = Role.Unspecified, ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)) }, GatewayClient.Key(AdminKey), GatewayClient.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        var badRequest = e.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>();
        Assert.Contains(badRequest.FieldViolations, v => v.Field == "role");
        Assert.Contains(badRequest.FieldViolations, v => v.Field == "expires_at");
    }

    public void Dispose()
    {
        _channel.Dispose();
        _pki.Dispose();
    }
}
