using Grpc.Core;
using Moat.Hosting.Principals;
using Moat.V1;
using Moat.Write.Namespaces;

namespace Moat.Write.Writes;

/// <summary>
/// <c>moat.v1.WriteService</c>: maps each call to the domain and back. The principal was verified
/// by <see cref="PrincipalInterceptor"/> for this method and the request's namespace; its signed
/// bytes are passed on to KeyVault. UpdateSchema comes later and answers UNIMPLEMENTED naming it.
/// </summary>
internal sealed class WriteApi : WriteService.WriteServiceBase
{
    private readonly WriteHandler _writes;
    private readonly NamespaceDeleter _deleter;

    public WriteApi(WriteHandler writes, NamespaceDeleter deleter)
    {
        _writes = writes;
        _deleter = deleter;
    }

    public override Task<WriteResponse> Write(WriteRequest request, ServerCallContext context) =>
        _writes.WriteAsync(CallerPrincipal.Get(context), SignedPrincipal(context), request, context.CancellationToken);

    public override Task<DeleteNamespaceResponse> DeleteNamespace(DeleteNamespaceRequest request, ServerCallContext context) =>
        _deleter.DeleteAsync(CallerPrincipal.Get(context), SignedPrincipal(context), request.Namespace, request.VersionCondition, context.CancellationToken);

    // Present: the interceptor refused the call otherwise.
    private static byte[] SignedPrincipal(ServerCallContext context) => context.RequestHeaders.GetValueBytes(PrincipalMetadata.Header)!;
}
