using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Hosting.Principals;
using Moat.Internal.V1;
using Moat.Keys.Client;
using Moat.V1;

namespace Moat.Query.Reading;

/// <summary>
/// Who a read is for and which namespace it reads: the verified principal (org, the namespace id
/// the gateway resolved) and the signed bytes KeyVault re-checks.
/// </summary>
internal sealed record ReadContext(PrincipalToken Principal, byte[] SignedPrincipal, string NamespaceName)
{
    public string Org => Principal.Org;

    public string NamespaceId => Principal.NamespaceId;

    public KeyAccess Access => KeyAccess.ForCaller(Org, NamespaceId, SignedPrincipal);

    /// <summary>The read's context; NOT_FOUND + NAMESPACE_NOT_FOUND when the directory had no such namespace.</summary>
    public static ReadContext For(ServerCallContext context, string namespaceName)
    {
        var principal = CallerPrincipal.Get(context);
        if (principal.NamespaceId.Length == 0)
        {
            throw NamespaceNotFound(namespaceName);
        }

        var signed = context.RequestHeaders.GetValueBytes(PrincipalMetadata.Header)
            ?? throw new InvalidOperationException("A verified principal without its signed bytes.");
        return new ReadContext(principal, signed, namespaceName);
    }

    public static MoatException NamespaceNotFound(string name) =>
        new(StatusCode.NotFound, ErrorReason.NamespaceNotFound, $"namespace '{name}' does not exist", new Dictionary<string, string> { ["namespace"] = name });
}
