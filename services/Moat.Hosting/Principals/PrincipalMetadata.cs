namespace Moat.Hosting.Principals;

/// <summary>Metadata names of the principal (DESIGN section 4). Clients never get to set any <c>moat-*</c> key.</summary>
public static class PrincipalMetadata
{
    /// <summary>The signed principal, a serialized <c>moat.internal.v1.SignedPrincipal</c>.</summary>
    public const string Header = "moat-principal-bin";

    /// <summary>Every metadata key with this prefix is Moat's own; the gateway strips what a client sent.</summary>
    public const string ReservedPrefix = "moat-";

    /// <summary>The longest a principal token may live.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromSeconds(60);

    /// <summary>Clock skew tolerated between the signer and the verifier.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);
}
