using Grpc.Core;
using Grpc.Core.Interceptors;
using Moat.Hosting.Principals;
using Moat.Internal.V1;

namespace Moat.Write.Indexing;

/// <summary>
/// Records (namespace id → org) from the verified principal of every call this write process serves,
/// so the indexer can ask KeyVault for the namespace's keys with a service purpose. Registered after
/// the principal interceptor: it only ever sees verified principals.
/// </summary>
internal sealed class RememberNamespaceOrg(NamespaceOrgs orgs) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (context.GetHttpContext().Items.ContainsKey("moat.principal"))
        {
            var principal = CallerPrincipal.Get(context);
            if (principal.Kind == PrincipalKind.ApiKey && principal.NamespaceId.Length > 0 && principal.Org.Length > 0)
            {
                orgs.Remember(principal.NamespaceId, principal.Org);
            }
        }

        return continuation(request, context);
    }
}
