namespace Moat.Audit;

/// <summary>
/// Signs audit digest and checkpoint bodies: ECDSA P-256 over SHA-256, IEEE P1363 signature
/// (r ‖ s, 64 bytes). <see cref="EcdsaAuditSigner"/> holds the key in memory; an HSM-held key
/// (PKCS#11 CKM_ECDSA) implements the same contract.
/// </summary>
public interface IAuditSigner
{
    /// <summary>Id of the signing key, as published with its public key (<see cref="AuditVerificationKey"/>).</summary>
    string KeyId { get; }

    /// <summary>Signs <paramref name="data"/>.</summary>
    ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}
