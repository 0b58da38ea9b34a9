using Grpc.Core;
using Grpc.Net.Client;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.Keys.Client;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.V1;
using Moat.Wal;

namespace Moat.Functional.Tests.Write;

/// <summary>
/// A customer of the running dev stack (the gateway, the profile's admin key) plus what a test needs
/// to look behind it: the directory (as the gateway), the region's data store, and KeyVault as the
/// write identity (service purpose INDEX) to read a namespace's WAL back.
/// </summary>
public sealed class WriteTestKit : IAsyncDisposable
{
    public const string Org = "dev";
    private readonly DevStackFixture _stack;
    private readonly GrpcChannel _gateway;
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _gatewayCert;
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _writeCert;
    private readonly GrpcChannel _router;
    private readonly GrpcChannel _keys;
    private readonly NamespaceKeyCache _keyCache;

    public WriteTestKit(DevStackFixture stack)
    {
        _stack = stack;
        Pki = new StackPki(stack.PkiDir);
        _gateway = GatewayClient.Channel(stack, Pki);
        _gatewayCert = Pki.Service("gateway");
        _writeCert = Pki.Service("write");
        _router = MtlsClient.Channel($"https://127.0.0.1:{stack.InternalPorts["router"]}", Pki.Root, _gatewayCert, Pki.ServiceCa);
        _keys = MtlsClient.Channel($"https://127.0.0.1:{stack.InternalPorts["keys"]}", Pki.Root, _writeCert, Pki.ServiceCa);
        Vault = new KeyVault.KeyVaultClient(_keys);
        _keyCache = new NamespaceKeyCache(Vault, new KeyCacheOptions { Ttl = TimeSpan.FromSeconds(30) }, TimeProvider.System);
        Keys = new KeyVaultKeySource(_keyCache);
        Store = new LocalFileSystemStore(stack.DataStoreDir, StackPki.Region);
    }

    public StackPki Pki { get; }

    public WriteService.WriteServiceClient Writes => new(_gateway);

    public RegionService.RegionServiceClient Regions => new(_gateway);

    /// <summary>KeyVault, called as the region's write service.</summary>
    public KeyVault.KeyVaultClient Vault { get; }

    public KeyVaultKeySource Keys { get; }

    /// <summary>The region's data store, opened as another process would.</summary>
    public LocalFileSystemStore Store { get; }

    public Metadata Key => GatewayClient.Key(_stack.AdminKey);

    /// <summary>A fresh namespace name for one test.</summary>
    public static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>Four-dimensional cosine vectors, a string and an int64 attribute, u64 ids.</summary>
    public static NamespaceConfig Config(uint dimensions = 4)
    {
        var config = new NamespaceConfig { IdKind = IdKind.U64 };
        config.Vectors["emb"] = new VectorColumn { Dimensions = dimensions, Metric = DistanceMetric.Cosine };
        config.Attributes["title"] = new AttributeSchema { Type = AttributeType.String };
        config.Attributes["n"] = new AttributeSchema { Type = AttributeType.Int64 };
        return config;
    }

    public static Document Doc(ulong id, float seed = 1f, string title = "t", long n = 1, uint dimensions = 4)
    {
        var document = new Document { Id = new DocumentId { U64 = id } };
        var vector = new Vector();
        for (var i = 0; i < dimensions; i++)
        {
            vector.Values.Add(seed + i);
        }

        document.Vectors["emb"] = vector;
        document.Attributes["title"] = new AttributeValue { StringValue = title };
        document.Attributes["n"] = new AttributeValue { IntValue = n };
        return document;
    }

    public static WriteRequest Upsert(string ns, params Document[] documents)
    {
        var request = new WriteRequest { Namespace = ns };
        request.Upserts.AddRange(documents);
        return request;
    }

    public async Task<CreateNamespaceResponse> CreateAsync(string ns, NamespaceConfig? config = null) =>
        await Regions.CreateNamespaceAsync(new CreateNamespaceRequest { Namespace = ns, Config = config ?? Config() }, Key, GatewayClient.Deadline);

    public async Task<WriteResponse> WriteAsync(WriteRequest request) =>
        await Writes.WriteAsync(request, Key, GatewayClient.Deadline);

    /// <summary>Reserves a name in the directory (as the gateway does first), without initializing it.</summary>
    public async Task ReserveAsync(string ns) =>
        await new Moat.Internal.V1.Directory.DirectoryClient(_router).ReserveAsync(new ReserveRequest { Org = Org, NamespaceName = ns, Region = StackPki.Region }, deadline: GatewayClient.Deadline);

    /// <summary>The namespace's opaque id from the directory, or null when the name is not reserved.</summary>
    public async Task<string?> NamespaceIdAsync(string ns)
    {
        try
        {
            return (await new Moat.Internal.V1.Directory.DirectoryClient(_router).ResolveAsync(new ResolveRequest { Org = Org, NamespaceName = ns }, deadline: GatewayClient.Deadline)).NamespaceId;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The namespace's version: the last WAL sequence in the store (0 when none).</summary>
    public async Task<long> VersionAsync(string nsid)
    {
        long last = 0;
        var prefix = WalPaths.Prefix(nsid);
        await foreach (var item in Store.ListAsync(prefix, null, CancellationToken.None))
        {
            if (WalPaths.TryParseSequence(item.Key, prefix, out var sequence))
            {
                last = Math.Max(last, sequence);
            }
        }

        return last;
    }

    /// <summary>Every object key of the namespace.</summary>
    public async Task<List<string>> ObjectsAsync(string nsid)
    {
        var keys = new List<string>();
        await foreach (var item in Store.ListAsync(StoragePaths.NamespaceRoot(nsid), null, CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    /// <summary>Every WAL entry of the namespace, read and unsealed with keys KeyVault releases to the write identity (INDEX).</summary>
    public async Task<List<WalEntry>> ReadWalAsync(string nsid)
    {
        using var keys = Keys.DataKeys(KeyAccess.ForService(Org, nsid, KeyPurpose.Index));
        var reader = new WalReader(Store, new UnsealOnly(keys));
        var entries = new List<WalEntry>();
        await foreach (var entry in reader.ReadAsync(nsid, 1, CancellationToken.None))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>A principal for the write service, signed as this region's gateway (for calls made straight to a write process).</summary>
    public byte[] Principal(string method, string ns, string nsid, Role role = Role.Write) =>
        Moat.Testing.TestPrincipals.Sign(Moat.Testing.TestPrincipals.Token(Org, role, "write", method, ns, nsid: nsid), _gatewayCert);

    /// <summary>The gateway's SVID (to call a write process as the gateway does).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 GatewayCertificate => _gatewayCert;

    public static Google.Rpc.BadRequest BadRequest(RpcException e) => e.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>();

    public static Google.Rpc.ErrorInfo Info(RpcException e) => e.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>();

    public static string? Reason(RpcException e) => RpcErrors.ReasonOf(e);

    public async ValueTask DisposeAsync()
    {
        await _keyCache.DisposeAsync();
        Store.Dispose();
        _keys.Dispose();
        _router.Dispose();
        _gateway.Dispose();
        _writeCert.Dispose();
        _gatewayCert.Dispose();
        Pki.Dispose();
    }

    private sealed class UnsealOnly(IDataKeySource keys) : IWalKeySource
    {
        public ValueTask<SealingKey> GetCurrentAsync(string namespaceId, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the test only reads the WAL");

        public IDataKeySource DataKeys(string namespaceId) => keys;
    }
}
