using Moat.Indexer.Configuration;
using Moat.Indexer.Indexing;
using Moat.Indexer.Keys;
using Moat.Segments.Segments;
using Moat.Wal;

namespace Moat.Write.Indexing;

/// <summary>The indexer inside the write service (DESIGN section 4): KeyVault keys with service purposes, meta as the schema, the IVF vector index, a fold after every commit.</summary>
public static class WriteIndexerExtensions
{
    public static WebApplicationBuilder AddWriteIndexer(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<NamespaceOrgs>();
        services.AddSingleton<RememberNamespaceOrg>();
        services.AddGrpc(o => o.Interceptors.Add<RememberNamespaceOrg>());
        services.AddSingleton<IServiceKeySource, IndexerKeySource>();
        services.AddSingleton<INamespaceSchemaSource, MetaSchemaSource>();
        services.AddSingleton<IVectorIndexBuilder, IvfSq8IndexBuilder>();
        services.AddSingleton<ICommitListener, IndexOnCommit>();
        services.AddMoatIndexer(builder.Configuration);
        return builder;
    }
}
