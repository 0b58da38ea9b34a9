using System.Runtime.InteropServices;
using System.Text;
using Moat.Internal.V1;
using Moat.Storage.Sealing;

namespace Moat.Audit.Tests;

/// <summary>
/// Events about a namespace whose documents hold a canary string and a vector: the event types give
/// no way to carry either, and no stored audit object, sealed or opened, holds them or key bytes.
/// </summary>
public sealed class CanaryTests
{
    private const string Canary = "CANARY-7f3a9c1e the quarterly results are confidential";
    private static readonly float[] Vector = [0.1337f, -2.71828f, 3.14159f, 42.4242f, -0.000123f, 1e-7f, 65504.5f, -7.77f];

    [Fact]
    public void The_event_types_reject_document_text()
    {
        var document = $"{{\"id\":\"doc-1\",\"text\":\"{Canary}\",\"vector\":[{string.Join(',', Vector)}]}}";
        Assert.Throws<ArgumentException>(() => new AuditIdentifier(Canary));
        Assert.Throws<ArgumentException>(() => new AuditIdentifier(document));
        Assert.Throws<ArgumentException>(() => new AuditIdentifier("CANARY-7f3a9c1e\nsecond line"));
        Assert.Throws<ArgumentException>(() => new AuditIdentifier("CANARY-7f3a9c1e" + new string('x', 300)));
        Assert.Throws<ArgumentException>(() => new AuditIdentifier(Convert.ToBase64String(MemoryMarshal.AsBytes(Vector.AsSpan()))));
        Assert.Throws<ArgumentException>(() => new AuditIdentifier(string.Join(',', Vector)));
    }

    [Fact]
    public async Task No_stored_audit_object_holds_the_canary_the_vector_or_key_bytes()
    {
        await using var rig = new AuditRig();
        var writer = rig.NewWriter("a");
        var ns = new AuditNamespace(new AuditIdentifier("customer-docs"), new AuditIdentifier("nsid-42"));
        var principal = AuditPrincipal.ApiKey(new AuditIdentifier(AuditRig.Org), new AuditIdentifier("key-7"));
        foreach (var kind in new[] { AuditEventKind.NamespaceCreate, AuditEventKind.Export, AuditEventKind.NamespaceDelete })
        {
            await writer.AppendDurableAsync(new AuditEvent
            {
                Kind = kind,
                Outcome = AuditEventOutcome.Success,
                Org = new AuditIdentifier(AuditRig.Org),
                Principal = principal,
                Namespace = ns,
                Key = new AuditKeyRef(new AuditIdentifier("kek-nsid-42"), 1),
                Purpose = KeyPurpose.CallerRequest,
                ItemCount = 1,
            });
        }

        for (var i = 0; i < 50; i++)
        {
            writer.Record(new AuditEvent
            {
                Kind = AuditEventKind.KeyUse,
                Outcome = AuditEventOutcome.Success,
                Org = new AuditIdentifier(AuditRig.Org),
                Principal = principal,
                Namespace = ns,
                Purpose = KeyPurpose.CallerRequest,
            });
        }

        await writer.FlushAsync();
        await rig.Checkpointer.CheckpointAsync(AuditRig.Org);
        Assert.True((await rig.VerifyAsync()).IsValid);

        Assert.True(rig.Keyring.TryGetDataKey(rig.Keyring.CurrentDataKey.Id, out var dek));
        using var signerKey = System.Security.Cryptography.ECDsa.Create();
        signerKey.ImportPkcs8PrivateKey(rig.Signer.ExportPkcs8PrivateKey(), out _);
        var privateScalar = signerKey.ExportParameters(includePrivateParameters: true).D!;
        byte[][] forbidden =
        [
            Encoding.UTF8.GetBytes("CANARY-7f3a9c1e"),
            MemoryMarshal.AsBytes(Vector.AsSpan()).ToArray(),
            MemoryMarshal.AsBytes(Vector.AsSpan(0, 2)).ToArray(),
            dek.ToArray(),
            rig.KekBytes,
            privateScalar,
        ];

        var objects = 0;
        var opened = 0;
        foreach (var key in await rig.AllKeysAsync())
        {
            var stored = (await rig.Store.GetAsync(key, null, CancellationToken.None))!.Data;
            objects++;
            AssertAbsent(stored.Span, forbidden, key);
            if (key.Contains("/batch/", StringComparison.Ordinal))
            {
                var plaintext = await SealedObjectReader.UnsealAsync(stored, key, rig.Keyring);
                opened++;
                AssertAbsent(plaintext, forbidden, key + " (opened)");
                Assert.True(plaintext.AsSpan().IndexOf("customer-docs"u8) >= 0); // namespace names are metadata and allowed
            }
        }

        Assert.True(opened >= 2 && objects > opened, $"{objects} objects, {opened} batches opened");

        // The raw files under the store's root too (temp files, locks).
        foreach (var file in System.IO.Directory.EnumerateFiles(rig.Directory, "*", SearchOption.AllDirectories))
        {
            AssertAbsent(await File.ReadAllBytesAsync(file), forbidden, file);
        }
    }

    private static void AssertAbsent(ReadOnlySpan<byte> haystack, byte[][] needles, string where)
    {
        foreach (var needle in needles)
        {
            Assert.True(haystack.IndexOf(needle) < 0, $"{where} holds forbidden bytes ({needle.Length} bytes)");
        }
    }
}
