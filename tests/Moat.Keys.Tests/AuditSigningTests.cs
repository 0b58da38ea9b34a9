using System.Security.Cryptography;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Keys.Tests;

/// <summary>KeyVault signs audit digests (releasing no key) and hands out the org's audit keyring.</summary>
public sealed class AuditSigningTests : IAsyncLifetime
{
    private KeysHost _host = null!;

    public async Task InitializeAsync() => _host = await KeysHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static AuditDigestBody Digest(string writer) => new()
    {
        Org = KeysHost.Org,
        Region = "dev-local",
        Writer = writer,
        RecordCount = 42,
        LastRecordHash = Google.Protobuf.ByteString.CopyFrom(SHA256.HashData("last"u8)),
        FirstTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
        LastTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
    };

    [Fact]
    public async Task A_service_gets_its_own_writers_digest_signed_with_the_published_key()
    {
        var reply = await _host.Vault("gateway").SignAuditDigestAsync(new SignAuditDigestRequest { Org = KeysHost.Org, Digest = Digest("gateway.instance-1") });
        var signed = reply.SignedDigest;
        var body = AuditDigestBody.Parser.ParseFrom(signed.Body);
        Assert.Equal(42UL, body.RecordCount);
        Assert.NotNull(body.SignedAt);

        // The public key as stored (and to be published by ListRegions) verifies the signature.
        var json = await _host.ReadKeyStoreAsync("audit/signing-key");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(doc.RootElement.GetProperty("keyId").GetString(), signed.SigningKeyId);
        using var publicKey = ECDsa.Create();
        publicKey.ImportSubjectPublicKeyInfo(Convert.FromBase64String(doc.RootElement.GetProperty("publicKey").GetString()!), out _);
        Assert.True(publicKey.VerifyData(signed.Body.Span, signed.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.DoesNotContain("privateKey\":\"MI", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_cannot_get_another_services_writer_signed()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _host.Vault("query").SignAuditDigestAsync(new SignAuditDigestRequest { Org = KeysHost.Org, Digest = Digest("write.instance-1") }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(e.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations, v => v.Field == "digest.writer");
    }

    [Fact]
    public async Task The_orgs_audit_keyring_is_stable_and_per_org()
    {
        var first = await _host.Vault("keys").GetAuditKeyringAsync(new GetAuditKeyringRequest { Org = KeysHost.Org });
        var request = new GetAuditKeyringRequest { Org = KeysHost.Org };
        request.Refs.Add(first.Current.Ref);
        var second = await _host.Vault("write").GetAuditKeyringAsync(request);
        Assert.Equal(first.Current.Key, second.Current.Key);
        Assert.Equal(first.Current.Key, second.Keys.Single().Key);
        var other = await _host.Vault("write").GetAuditKeyringAsync(new GetAuditKeyringRequest { Org = "other-org" });
        Assert.NotEqual(first.Current.Key, other.Current.Key);
        Assert.Null(RpcErrors.ReasonOf(new RpcException(Status.DefaultSuccess)));
    }
}
