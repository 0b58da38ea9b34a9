using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Keys.Tests;

/// <summary>KeyVault over mTLS: who gets a namespace's keys, and who is refused (DESIGN section 4).</summary>
public sealed class KeyVaultAuthorizationTests : IAsyncLifetime
{
    private const string Ns = "docs";
    private const string Nsid = "ns_auth01";
    private KeysHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await KeysHost.StartAsync();
        await _host.Vault("write").CreateNamespaceKekAsync(
            new CreateNamespaceKekRequest { Org = KeysHost.Org, NamespaceId = Nsid, NamespaceName = Ns },
            KeysHost.With(_host.Principal("write", "/moat.v1.WriteService/Write", Role.Write, ns: Ns)));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<GetCurrentDataKeyResponse> GetAsync(string service, KeyPurpose purpose, byte[]? principal, string org = KeysHost.Org) =>
        _host.Vault(service).GetCurrentDataKeyAsync(
            new GetCurrentDataKeyRequest { Org = org, NamespaceId = Nsid, Purpose = purpose },
            principal is null ? null : KeysHost.With(principal)).ResponseAsync;

    private static async Task RefusedAsync(Task call, StatusCode status, string reason)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(status, e.StatusCode);
        Assert.Equal(reason, RpcErrors.ReasonOf(e));
    }

    [Fact]
    public async Task The_caller_principal_passed_on_by_write_or_query_gets_the_key()
    {
        var byWrite = await GetAsync("write", KeyPurpose.CallerRequest, _host.Principal("write", "/moat.v1.WriteService/Write", Role.Write, ns: Ns, nsid: Nsid));
        var byQuery = await GetAsync("query", KeyPurpose.CallerRequest, _host.Principal("query", "/moat.v1.QueryService/Query", Role.Read, ns: Ns, nsid: Nsid));
        Assert.Equal(32, byWrite.Key.Key.Length);
        Assert.Equal(byWrite.Key.Key, byQuery.Key.Key);
        Assert.Equal(byWrite.Key.Ref, byQuery.Key.Ref);
    }

    [Theory]
    [InlineData(KeyPurpose.Index)]
    [InlineData(KeyPurpose.Compact)]
    [InlineData(KeyPurpose.Gc)]
    public async Task The_write_service_gets_keys_for_a_service_purpose_without_a_principal(KeyPurpose purpose) =>
        Assert.Equal(32, (await GetAsync("write", purpose, null)).Key.Key.Length);

    [Fact]
    public async Task Query_asking_for_a_service_purpose_is_refused() =>
        await RefusedAsync(GetAsync("query", KeyPurpose.Index, null), StatusCode.PermissionDenied, "PRINCIPAL_MISSING");

    [Fact]
    public async Task A_caller_request_without_a_principal_is_refused() =>
        await RefusedAsync(GetAsync("write", KeyPurpose.CallerRequest, null), StatusCode.PermissionDenied, "PRINCIPAL_MISSING");

    [Fact]
    public async Task Another_orgs_token_for_the_namespace_is_refused() =>
        await RefusedAsync(GetAsync("write", KeyPurpose.CallerRequest, _host.Principal("write", "/moat.v1.WriteService/Write", Role.Admin, org: "evil", ns: Ns, nsid: Nsid)), StatusCode.PermissionDenied, "PRINCIPAL_NAMESPACE_MISMATCH");

    [Fact]
    public async Task Asking_in_the_name_of_another_org_is_refused() =>
        await RefusedAsync(GetAsync("write", KeyPurpose.CallerRequest, _host.Principal("write", "/moat.v1.WriteService/Write", Role.Admin, org: "evil", ns: Ns, nsid: Nsid), org: "evil"), StatusCode.PermissionDenied, "CALLER_NOT_ALLOWED");

    [Fact]
    public async Task A_token_for_another_namespace_is_refused() =>
        await RefusedAsync(GetAsync("write", KeyPurpose.CallerRequest, _host.Principal("write", "/moat.v1.WriteService/Write", Role.Admin, ns: "other", nsid: "ns_other")), StatusCode.PermissionDenied, "PRINCIPAL_NAMESPACE_MISMATCH");

    [Fact]
    public async Task A_token_issued_for_query_but_passed_on_by_write_is_refused() =>
        await RefusedAsync(GetAsync("write", KeyPurpose.CallerRequest, _host.Principal("query", "/moat.v1.QueryService/Query", Role.Read, ns: Ns, nsid: Nsid)), StatusCode.PermissionDenied, "PRINCIPAL_WRONG_AUDIENCE");

    [Fact]
    public async Task A_job_principal_without_a_live_operation_is_refused()
    {
        using var router = _host.Pki.Service("router", "global");
        await RefusedAsync(GetAsync("write", KeyPurpose.Job, _host.Principal("write", string.Empty, Role.Admin, ns: Ns, nsid: Nsid, kind: PrincipalKind.Job, signer: router)), StatusCode.PermissionDenied, "OPERATION_NOT_FOUND");
    }

    [Fact]
    public async Task An_operator_principal_is_refused() =>
        await RefusedAsync(GetAsync("query", KeyPurpose.CallerRequest, _host.Principal("query", "/moat.v1.QueryService/Query", Role.Read, ns: Ns, nsid: Nsid, kind: PrincipalKind.Operator)), StatusCode.PermissionDenied, "GRANT_REQUIRED");

    [Fact]
    public async Task The_gateway_cannot_call_keyvault_at_all() =>
        await RefusedAsync(GetAsync("gateway", KeyPurpose.CallerRequest, _host.Principal("gateway", "/x", Role.Admin, ns: Ns, nsid: Nsid)), StatusCode.PermissionDenied, "CALLER_NOT_ALLOWED");

    [Fact]
    public async Task Write_of_another_region_cannot_call_this_keyvault()
    {
        using var channel = _host.Channel("write", "eu-west-9");
        var e = await Assert.ThrowsAsync<RpcException>(() => new KeyVault.KeyVaultClient(channel).GetCurrentDataKeyAsync(new GetCurrentDataKeyRequest { Org = KeysHost.Org, NamespaceId = Nsid, Purpose = KeyPurpose.Index }).ResponseAsync);
        Assert.Equal("CALLER_NOT_ALLOWED", RpcErrors.ReasonOf(e));
    }

    [Fact]
    public async Task Creating_a_namespace_key_twice_is_idempotent_and_another_org_cannot_claim_it()
    {
        var again = await _host.Vault("write").CreateNamespaceKekAsync(
            new CreateNamespaceKekRequest { Org = KeysHost.Org, NamespaceId = Nsid, NamespaceName = Ns },
            KeysHost.With(_host.Principal("write", "/moat.v1.WriteService/Write", Role.Write, ns: Ns)));
        Assert.False(again.Created);
        Assert.Equal(1UL, again.KeyringVersion);

        await RefusedAsync(_host.Vault("write").CreateNamespaceKekAsync(
            new CreateNamespaceKekRequest { Org = "evil", NamespaceId = Nsid, NamespaceName = Ns },
            KeysHost.With(_host.Principal("write", "/moat.v1.WriteService/Write", Role.Write, org: "evil", ns: Ns))).ResponseAsync, StatusCode.PermissionDenied, "CALLER_NOT_ALLOWED");
    }

    [Fact]
    public async Task Key_state_checks_need_no_principal_and_release_no_key()
    {
        var request = new CheckKeyStateRequest { Org = KeysHost.Org };
        request.NamespaceIds.Add(Nsid);
        var reply = await _host.Vault("query").CheckKeyStateAsync(request);
        Assert.True(reply.States.Single().Usable);
        Assert.DoesNotContain(reply.ToString(), "\"key\"", StringComparison.Ordinal);
    }
}
