using Grpc.Core;
using Moat.Hosting;
using Moat.Hosting.Errors;
using Moat.Hosting.Identity;
using Moat.Hosting.Principals;
using Moat.Internal.V1;
using Moat.Keys.KeyStore;
using Moat.V1;

namespace Moat.Keys.Vault;

/// <summary>
/// When KeyVault releases a namespace's keys (DESIGN section 4): to a verified caller principal,
/// passed on by the write or query service it was issued for, whose org and namespace id match the
/// key store's record; to the home region's write service for a service purpose (index, compact,
/// gc) without a principal; never to query for a service purpose; never to an operator principal
/// (grants come with operator access) nor to a job principal without a live operation record (the
/// job framework is not built, so none is live). Everything else is refused.
/// </summary>
public sealed class KeyReleasePolicy
{
    private readonly PrincipalVerifier _verifier;

    public KeyReleasePolicy(PrincipalVerifier verifier)
    {
        _verifier = verifier;
    }

    public KeyRelease Authorize(ServerCallContext context, NamespaceKekRecord record, KeyPurpose purpose, Role leastRole = Role.Read)
    {
        var peer = PeerIdentity.Get(context)
            ?? throw new MoatException(StatusCode.Unauthenticated, ErrorReason.CallerNotAllowed, "no peer identity");
        var principal = PrincipalOf(context, peer);
        if (principal is null)
        {
            if (purpose is KeyPurpose.Index or KeyPurpose.Compact or KeyPurpose.Gc && peer.IsService(MoatServices.Write))
            {
                return new KeyRelease(peer.ToString(), PrincipalKind.Unspecified, string.Empty, purpose);
            }

            throw new MoatException(StatusCode.PermissionDenied, ErrorReason.PrincipalMissing,
                purpose is KeyPurpose.Index or KeyPurpose.Compact or KeyPurpose.Gc
                    ? $"service purpose {purpose} is granted to the write service only"
                    : "a key for a caller's request needs the caller's principal");
        }

        switch (principal.Kind)
        {
            case PrincipalKind.Operator:
                throw new MoatException(StatusCode.PermissionDenied, ErrorReason.GrantRequired, "operator access needs an approved grant");
            case PrincipalKind.Job:
                throw new MoatException(StatusCode.PermissionDenied, ErrorReason.OperationNotFound, "no live operation is recorded for this job principal");
        }

        if (principal.Org != record.Org || principal.NamespaceId != record.NamespaceId)
        {
            throw new MoatException(StatusCode.PermissionDenied, ErrorReason.PrincipalNamespaceMismatch, "the principal is not for this namespace of this org");
        }

        if (purpose != KeyPurpose.CallerRequest || !Satisfies(principal.Role, leastRole))
        {
            throw new MoatException(StatusCode.PermissionDenied, ErrorReason.RoleNotAllowed, $"this key operation needs a {leastRole} principal and purpose CALLER_REQUEST");
        }

        return new KeyRelease(peer.ToString(), principal.Kind, principal.ApiKeyId, purpose);
    }

    /// <summary>The verified principal the calling service passed on, if any; its audience must be that service.</summary>
    public PrincipalToken? PrincipalOf(ServerCallContext context, SpiffeId peer)
    {
        var entry = context.RequestHeaders.Get(PrincipalMetadata.Header);
        return entry is { IsBinary: true } ? _verifier.VerifyForwarded(entry.ValueBytes, peer.Name) : null;
    }

    private static bool Satisfies(Role held, Role least) => (held, least) switch
    {
        (Role.Admin, _) => true,
        (Role.Write, Role.Write or Role.Read) => true,
        (Role.Read, Role.Read) => true,
        _ => false,
    };
}
