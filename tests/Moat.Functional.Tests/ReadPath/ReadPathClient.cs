using Grpc.Core;
using Grpc.Net.Client;
using Moat.V1;

namespace Moat.Functional.Tests.ReadPath;

/// <summary>A customer of the dev stack: namespaces, writes and queries through the gateway with the profile's API key.</summary>
public sealed class ReadPathClient : IDisposable
{
    private readonly StackPki _pki;
    private readonly GrpcChannel _channel;
    private readonly Metadata _key;

    public ReadPathClient(DevStackFixture stack)
    {
        _pki = new StackPki(stack.PkiDir);
        _channel = GatewayClient.Channel(stack, _pki);
        _key = GatewayClient.Key(stack.Profile.GetProperty("api_key").GetString());
        Write = new WriteService.WriteServiceClient(_channel);
        Query = new QueryService.QueryServiceClient(_channel);
        Region = new RegionService.RegionServiceClient(_channel);
        Keys = new KeyService.KeyServiceClient(_channel);
    }

    public WriteService.WriteServiceClient Write { get; }

    public QueryService.QueryServiceClient Query { get; }

    public RegionService.RegionServiceClient Region { get; }

    public KeyService.KeyServiceClient Keys { get; }

    public Metadata Key => _key;

    public static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    /// <summary>A config with one 8-dimension cosine column, a full-text title, an int and a string tag.</summary>
    public static NamespaceConfig Config(string? keyId = null, uint dims = 8)
    {
        var config = new NamespaceConfig { IdKind = IdKind.U64 };
        config.Vectors["emb"] = new VectorColumn { Dimensions = dims, Metric = DistanceMetric.Cosine };
        config.Attributes["title"] = new AttributeSchema { Type = AttributeType.String, FullText = new FullTextOptions { Stemming = true } };
        config.Attributes["n"] = new AttributeSchema { Type = AttributeType.Int64 };
        config.Attributes["tag"] = new AttributeSchema { Type = AttributeType.String };
        if (keyId is not null)
        {
            config.Encryption = new EncryptionConfig { KeyId = keyId };
        }

        return config;
    }

    public async Task CreateAsync(string name, NamespaceConfig config) =>
        await Region.CreateNamespaceAsync(new CreateNamespaceRequest { Namespace = name, Region = StackPki.Region, Config = config }, _key, Deadline);

    public static Document Doc(ulong id, float[] vector, string title, long n, string tag)
    {
        var doc = new Document { Id = new DocumentId { U64 = id } };
        var v = new Vector();
        v.Values.AddRange(vector);
        doc.Vectors["emb"] = v;
        doc.Attributes["title"] = new AttributeValue { StringValue = title };
        doc.Attributes["n"] = new AttributeValue { IntValue = n };
        doc.Attributes["tag"] = new AttributeValue { StringValue = tag };
        return doc;
    }

    public static float[] Vector(ulong id, int dims = 8)
    {
        var random = new Moat.Testing.TestRandom(id);
        var v = new float[dims];
        for (var i = 0; i < dims; i++)
        {
            v[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return v;
    }

    public async Task<WriteResponse> UpsertAsync(string name, IEnumerable<Document> docs)
    {
        var request = new WriteRequest { Namespace = name };
        request.Upserts.AddRange(docs);
        return await Write.WriteAsync(request, _key, Deadline);
    }

    public async Task<QueryResponse> QueryAsync(string name, QuerySpec spec, Consistency consistency = Consistency.Strong) =>
        await Query.QueryAsync(new QueryRequest { Namespace = name, Query = spec, Consistency = consistency }, _key, Deadline);

    public static Filter Eq(string attribute, AttributeValue value) =>
        new() { Predicate = new Moat.V1.Predicate { Attribute = attribute, Op = FilterOperator.Eq, Value = value } };

    public void Dispose()
    {
        _channel.Dispose();
        _pki.Dispose();
    }
}
