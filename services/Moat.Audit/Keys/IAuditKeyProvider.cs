using Moat.Storage.Sealing;

namespace Moat.Audit;

/// <summary>
/// The org's audit keyring. In services: KeyVault.GetAuditKeyring (purpose AUDIT) behind a key
/// cache; in tests and the benchmark: <see cref="KeyringAuditKeyProvider"/> over a
/// <c>NamespaceKeyring</c>.
/// </summary>
public interface IAuditKeyProvider
{
    /// <summary>The DEK new batches of <paramref name="org"/> are sealed with.</summary>
    ValueTask<AuditSealingKey> GetSealingKeyAsync(string org, CancellationToken cancellationToken);

    /// <summary>Resolves the DEKs that stored batches of <paramref name="org"/> name (for restart and verification).</summary>
    IDataKeySource GetDataKeySource(string org);
}
