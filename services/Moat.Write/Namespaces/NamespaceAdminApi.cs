using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Hosting.Principals;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Write.Namespaces;

/// <summary>
/// <c>moat.internal.v1.NamespaceAdmin</c> (callers: the gateway of this region, the router). Calls
/// for a caller carry the caller's principal, verified here for this method and the request's
/// namespace name. Jobs (StartJob, GetJob) come with the job framework and answer UNIMPLEMENTED.
/// </summary>
internal sealed class NamespaceAdminApi : NamespaceAdmin.NamespaceAdminBase
{
    private readonly NamespaceInitializer _initializer;
    private readonly NamespaceDeleter _deleter;
    private readonly PrincipalVerifier _verifier;

    public NamespaceAdminApi(NamespaceInitializer initializer, NamespaceDeleter deleter, PrincipalVerifier verifier)
    {
        _initializer = initializer;
        _deleter = deleter;
        _verifier = verifier;
    }

    public override Task<InitNamespaceResponse> InitNamespace(InitNamespaceRequest request, ServerCallContext context)
    {
        var (principal, signed) = Caller(context, request.NamespaceName);
        return _initializer.InitAsync(principal, signed, request, "config", context.CancellationToken);
    }

    public override async Task<DeleteNamespaceDataResponse> DeleteNamespaceData(DeleteNamespaceDataRequest request, ServerCallContext context)
    {
        var (principal, signed) = Caller(context, request.NamespaceName);
        if (principal.Org != request.Org || principal.NamespaceId != request.NamespaceId)
        {
            throw new MoatException(StatusCode.PermissionDenied, ErrorReason.PrincipalNamespaceMismatch, "the principal is not for this namespace");
        }

        var deleted = await _deleter.DeleteAsync(principal, signed, request.NamespaceName, null, context.CancellationToken);
        return new DeleteNamespaceDataResponse
        {
            ObjectsRemoved = deleted.ObjectsRemoved,
            KeyDestroyed = deleted.KeyDestroyed,
            DeletionRecordId = deleted.DeletionRecordId,
            SegmentsRetainedForBranches = deleted.SegmentsRetainedForBranches,
            FinalAfter = deleted.FinalAfter,
        };
    }

    private (PrincipalToken Principal, byte[] Signed) Caller(ServerCallContext context, string namespaceName)
    {
        var entry = context.RequestHeaders.Get(PrincipalMetadata.Header);
        if (entry is null || !entry.IsBinary)
        {
            throw new MoatException(StatusCode.Unauthenticated, ErrorReason.PrincipalMissing, "the call carries no principal");
        }

        return (_verifier.Verify(entry.ValueBytes, context.Method, namespaceName), entry.ValueBytes);
    }
}
