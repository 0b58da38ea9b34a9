using Moat.V1;

namespace Moat.Audit.KeyVault;

/// <summary>A writer's digests signed by the region's KeyVault (<c>SignAuditDigest</c>), which also records them in the org's writer registry.</summary>
public sealed class KeyVaultDigestSigner : IAuditDigestSigner
{
    private readonly Moat.Internal.V1.KeyVault.KeyVaultClient _vault;

    public KeyVaultDigestSigner(Moat.Internal.V1.KeyVault.KeyVaultClient vault)
    {
        _vault = vault;
    }

    public async Task<SignedAuditDigest> SignDigestAsync(string org, AuditDigestBody body, CancellationToken cancellationToken)
    {
        var reply = await _vault.SignAuditDigestAsync(new Moat.Internal.V1.SignAuditDigestRequest { Org = org, Digest = body }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
        return reply.SignedDigest;
    }
}
