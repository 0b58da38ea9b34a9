using Grpc.Core;
using Moat.Hosting.Principals;
using Moat.Query.Namespaces;
using Moat.V1;

namespace Moat.Query;

/// <summary><c>moat.v1.QueryService</c>: maps requests to the read path and results back.</summary>
internal sealed class QueryApi(NamespaceLister lister) : QueryService.QueryServiceBase
{
    public override Task<ListNamespacesResponse> ListNamespaces(ListNamespacesRequest request, ServerCallContext context) =>
        lister.ListAsync(CallerPrincipal.Get(context), request, context.CancellationToken);
}
