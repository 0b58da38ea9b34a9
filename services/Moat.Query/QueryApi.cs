using Grpc.Core;
using Moat.Hosting.Principals;
using Moat.Query.Export;
using Moat.Query.Namespaces;
using Moat.Query.Reading;
using Moat.V1;

namespace Moat.Query;

/// <summary><c>moat.v1.QueryService</c>: maps requests to the read path and results back.</summary>
internal sealed class QueryApi(QueryHandler queries, ExportHandler exports, NamespaceInfoHandler info, RecallMeasurer recall, NamespaceLister lister)
    : QueryService.QueryServiceBase
{
    public override Task<QueryResponse> Query(QueryRequest request, ServerCallContext context) =>
        queries.QueryAsync(ReadContext.For(context, request.Namespace), request, context.CancellationToken);

    public override Task<MultiQueryResponse> MultiQuery(MultiQueryRequest request, ServerCallContext context) =>
        queries.MultiQueryAsync(ReadContext.For(context, request.Namespace), request, context.CancellationToken);

    public override Task Export(ExportRequest request, IServerStreamWriter<ExportResponse> responseStream, ServerCallContext context) =>
        exports.ExportAsync(ReadContext.For(context, request.Namespace), request, responseStream, context.CancellationToken);

    public override Task<GetNamespaceResponse> GetNamespace(GetNamespaceRequest request, ServerCallContext context) =>
        info.GetAsync(ReadContext.For(context, request.Namespace), context.CancellationToken);

    public override Task<WarmCacheResponse> WarmCache(WarmCacheRequest request, ServerCallContext context) =>
        info.WarmAsync(ReadContext.For(context, request.Namespace), context.CancellationToken);

    public override Task<MeasureRecallResponse> MeasureRecall(MeasureRecallRequest request, ServerCallContext context) =>
        recall.MeasureAsync(ReadContext.For(context, request.Namespace), request, context.CancellationToken);

    public override Task<ListNamespacesResponse> ListNamespaces(ListNamespacesRequest request, ServerCallContext context) =>
        lister.ListAsync(CallerPrincipal.Get(context), request, context.CancellationToken);
}
