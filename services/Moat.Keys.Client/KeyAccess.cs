using Moat.Internal.V1;

namespace Moat.Keys.Client;

/// <summary>
/// On whose behalf a namespace's keys are asked for (DESIGN section 4): a caller's request, with
/// the caller's signed principal passed on to KeyVault; or a service purpose of the write service
/// (index, compact, gc), with no principal.
/// </summary>
public sealed record KeyAccess
{
    private KeyAccess(string org, string namespaceId, KeyPurpose purpose, byte[]? principal)
    {
        ArgumentException.ThrowIfNullOrEmpty(org);
        ArgumentException.ThrowIfNullOrEmpty(namespaceId);
        Org = org;
        NamespaceId = namespaceId;
        Purpose = purpose;
        Principal = principal;
    }

    public string Org { get; }

    public string NamespaceId { get; }

    public KeyPurpose Purpose { get; }

    /// <summary>The caller's serialized <c>SignedPrincipal</c> (CALLER_REQUEST), or null for a service purpose.</summary>
    public byte[]? Principal { get; }

    /// <summary>Keys for a caller's request: KeyVault checks the principal's org and namespace id against its records.</summary>
    public static KeyAccess ForCaller(string org, string namespaceId, byte[] signedPrincipal)
    {
        ArgumentNullException.ThrowIfNull(signedPrincipal);
        return new(org, namespaceId, KeyPurpose.CallerRequest, signedPrincipal);
    }

    /// <summary>Keys for work with no caller behind it (index, compact, gc): granted to the home region's write service only.</summary>
    public static KeyAccess ForService(string org, string namespaceId, KeyPurpose purpose)
    {
        if (purpose is not (KeyPurpose.Index or KeyPurpose.Compact or KeyPurpose.Gc))
        {
            throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "A service purpose is INDEX, COMPACT or GC.");
        }

        return new(org, namespaceId, purpose, null);
    }
}
