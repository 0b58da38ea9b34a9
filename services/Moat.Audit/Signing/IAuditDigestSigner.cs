using Moat.V1;

namespace Moat.Audit;

/// <summary>
/// Signs a writer's chain digest (DESIGN section 10). In services: a client of
/// <c>KeyVault.SignAuditDigest</c>, which is <see cref="AuditCheckpointer.SignDigestAsync"/> on the
/// KeyVault side (it also registers the digest for checkpoints); the router hosts its own
/// <see cref="AuditCheckpointer"/> over a local <see cref="EcdsaAuditSigner"/>.
/// </summary>
public interface IAuditDigestSigner
{
    /// <summary>
    /// Signs <paramref name="body"/> (the signer may set region and signed_at; nothing else may change).
    /// </summary>
    /// <exception cref="AuditDigestConflictException">The body's previous digest hash is not the
    /// writer's latest registered digest.</exception>
    Task<SignedAuditDigest> SignDigestAsync(string org, AuditDigestBody body, CancellationToken cancellationToken);
}
