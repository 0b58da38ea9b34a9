using Google.Protobuf;
using Moat.V1;

namespace Moat.Audit.Tests;

public sealed class SignerTests
{
    [Fact]
    public async Task Ecdsa_signatures_verify_with_the_exported_spki_and_not_with_another_key()
    {
        using var signer = EcdsaAuditSigner.Create("k1");
        using var other = EcdsaAuditSigner.Create("k1");
        var spki = signer.ExportSubjectPublicKeyInfo();
        using var published = new AuditVerificationKey("k1", spki);
        var data = "digest body"u8.ToArray();
        var signature = await signer.SignAsync(data, CancellationToken.None);
        Assert.Equal(64, signature.Length); // IEEE P1363 r || s
        Assert.True(published.Verify(data, signature));
        Assert.False(published.Verify("other body"u8, signature));
        using var wrong = other.VerificationKey;
        Assert.False(wrong.Verify(data, signature));
    }

    [Fact]
    public async Task A_pkcs8_export_imports_to_the_same_key()
    {
        using var signer = EcdsaAuditSigner.Create("k1");
        using var copy = EcdsaAuditSigner.ImportPkcs8("k1", signer.ExportPkcs8PrivateKey());
        Assert.Equal(signer.ExportSubjectPublicKeyInfo(), copy.ExportSubjectPublicKeyInfo());
        var signed = await copy.SignDigestAsync("org-1", new AuditDigestBody { Org = "org-1", Writer = "write.a", RecordCount = 1 }, CancellationToken.None);
        using var key = signer.VerificationKey;
        Assert.True(key.Verify(signed.Body.Span, signed.Signature.Span));
        Assert.NotNull(AuditDigestBody.Parser.ParseFrom(signed.Body).SignedAt);
    }

    [Fact]
    public async Task The_checkpointer_refuses_a_digest_that_does_not_continue_the_registered_head()
    {
        await using var rig = new AuditRig();
        var body = new AuditDigestBody
        {
            Org = AuditRig.Org,
            Writer = "write.a",
            RecordCount = 5,
            LastRecordHash = ByteString.CopyFrom(new byte[32]),
        };
        var first = await rig.Checkpointer.SignDigestAsync(AuditRig.Org, body, CancellationToken.None);
        var again = await Assert.ThrowsAsync<AuditDigestConflictException>(() => rig.Checkpointer.SignDigestAsync(AuditRig.Org, body, CancellationToken.None));
        Assert.Equal(first, again.RegisteredHead);
        var next = body.Clone();
        next.RecordCount = 9;
        next.PreviousDigestHash = ByteString.CopyFrom(AuditHashes.Of(first.Body.Span));
        await rig.Checkpointer.SignDigestAsync(AuditRig.Org, next, CancellationToken.None);
        var registry = await rig.Checkpointer.GetRegistryAsync(AuditRig.Org, CancellationToken.None);
        Assert.Equal(2UL, Assert.Single(registry.Writers).DigestCount);
    }
}
