using System.Security.Cryptography;
using Google.Protobuf;
using Moat.Internal.V1;
using Moat.Storage.Keyring;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.V1;

namespace Moat.Audit.Tests;

/// <summary>
/// One test's audit world: a local file-system store in a temp dir, the org's audit keyring (a real
/// NamespaceKeyring under an in-memory AES-GCM KEK), a KeyVault-like checkpointer with an ECDSA
/// key, and the verifier's trusted keys.
/// </summary>
internal sealed class AuditRig : IAsyncDisposable
{
    public const string Org = "org-1";
    public const string Region = "eu-test-1";

    private readonly List<AuditWriter> _writers = [];

    public AuditRig(IObjectStore? wrap = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "moat-audit-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        LocalStore = new LocalFileSystemStore(Directory, Region);
        Store = LocalStore;
        KekBytes = RandomNumberGenerator.GetBytes(32);
        Kek = new AesGcmKeyWrapper(1, KekBytes);
        Keyring = NamespaceKeyring.CreateFirst("audit-" + Org, Kek);
        Keys = new KeyringAuditKeyProvider(Keyring);
        Signer = EcdsaAuditSigner.Create("test-keyvault");
        Checkpointer = new AuditCheckpointer(Store, Signer, Region);
        Trusted = new AuditTrustedKeys(Signer.VerificationKey);
    }

    public string Directory { get; }

    public LocalFileSystemStore LocalStore { get; }

    public IObjectStore Store { get; set; }

    public byte[] KekBytes { get; }

    public AesGcmKeyWrapper Kek { get; }

    public NamespaceKeyring Keyring { get; }

    public KeyringAuditKeyProvider Keys { get; }

    public EcdsaAuditSigner Signer { get; }

    public AuditCheckpointer Checkpointer { get; }

    public AuditTrustedKeys Trusted { get; }

    public AuditWriter NewWriter(string instance, AuditWriterOptions? options = null, IObjectStore? store = null, TimeProvider? time = null)
    {
        var writer = new AuditWriter(store ?? Store, Keys, Checkpointer,
            (options ?? new AuditWriterOptions { WriterId = AuditWriterId.Create("write", instance) }) with
            {
                WriterId = AuditWriterId.Create("write", instance),
            }, time);
        _writers.Add(writer);
        return writer;
    }

    public Task<AuditVerificationResult> VerifyAsync(SignedAuditCheckpoint? since = null, bool collect = true) =>
        AuditVerifier.VerifyAsync(Store, Org, Keyring, Trusted, new AuditVerifyOptions { Since = since, CollectRecords = collect });

    public static AuditEvent StateChange(int i, string org = Org) => new()
    {
        Kind = AuditEventKind.NamespaceCreate,
        Outcome = AuditEventOutcome.Success,
        Org = new AuditIdentifier(org),
        Principal = AuditPrincipal.ApiKey(new AuditIdentifier(org), new AuditIdentifier("key-1")),
        Namespace = new AuditNamespace(new AuditIdentifier($"ns-{i}"), new AuditIdentifier($"nsid-{i}")),
        Method = new AuditIdentifier("/moat.internal.v1.NamespaceAdmin/Create"),
    };

    /// <summary>Appends <paramref name="count"/> events from one task, one at a time (one record per batch).</summary>
    public static async Task AppendSequentiallyAsync(AuditWriter writer, int count, int start = 0)
    {
        for (var i = 0; i < count; i++)
        {
            await writer.AppendDurableAsync(StateChange(start + i));
        }
    }

    public async Task<List<string>> AllKeysAsync(string? prefix = null)
    {
        var keys = new List<string>();
        await foreach (var item in Store.ListAsync(prefix ?? AuditPaths.OrgPrefix(Org), null, CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    public async Task<AuditBatch> ReadBatchAsync(string writer, long sequence)
    {
        var path = AuditPaths.Batch(Org, writer, sequence);
        var stored = await Store.GetAsync(path, null, CancellationToken.None) ?? throw new InvalidOperationException(path + " missing");
        return AuditBatch.Parser.ParseFrom(await SealedObjectReader.UnsealAsync(stored.Data, path, Keyring));
    }

    /// <summary>Re-seals a batch with the right key at its path: only the chain logic can catch what changed.</summary>
    public async Task WriteBatchAsync(string writer, long sequence, AuditBatch batch)
    {
        var path = AuditPaths.Batch(Org, writer, sequence);
        Assert.True(Keyring.TryGetDataKey(Keyring.CurrentDataKey.Id, out var key));
        var sealedBytes = SealedObjectWriter.Seal(batch.ToByteArray(), path, Keyring.Version, Keyring.CurrentDataKey.Id, key.Span);
        await Store.PutAsync(path, sealedBytes, PutCondition.None, CancellationToken.None);
    }

    public Task DeleteAsync(string key) => Store.DeleteAsync(key, null, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        foreach (var writer in _writers)
        {
            try
            {
                await writer.DisposeAsync();
            }
            catch (AuditException)
            {
            }
        }

        Trusted.Dispose();
        Signer.Dispose();
        Keyring.Dispose();
        Kek.Dispose();
        LocalStore.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
            if (System.IO.Directory.Exists(Directory + "-files"))
            {
                System.IO.Directory.Delete(Directory + "-files", recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}
