using Moat.Storage.Keyring;
using Moat.Storage.Sealing;

namespace Moat.Audit;

/// <summary>
/// <see cref="IAuditKeyProvider"/> over keyrings held in memory, one per org (the keyrings stay
/// owned by the caller). For tests, benchmarks and single-process deployments.
/// </summary>
public sealed class KeyringAuditKeyProvider : IAuditKeyProvider
{
    private readonly Func<string, NamespaceKeyring?> _keyrings;

    /// <param name="keyrings">The org's audit keyring, or null when the org has none.</param>
    public KeyringAuditKeyProvider(Func<string, NamespaceKeyring?> keyrings)
    {
        ArgumentNullException.ThrowIfNull(keyrings);
        _keyrings = keyrings;
    }

    /// <summary>One keyring for every org.</summary>
    public KeyringAuditKeyProvider(NamespaceKeyring keyring)
        : this(_ => keyring)
    {
        ArgumentNullException.ThrowIfNull(keyring);
    }

    public ValueTask<AuditSealingKey> GetSealingKeyAsync(string org, CancellationToken cancellationToken)
    {
        var keyring = Get(org);
        var current = keyring.CurrentDataKey;
        if (!keyring.TryGetDataKey(current.Id, out var key))
        {
            throw new InvalidOperationException("The audit keyring does not hold its current DEK.");
        }

        return ValueTask.FromResult(new AuditSealingKey(keyring.Version, current.Id, key));
    }

    public IDataKeySource GetDataKeySource(string org) => Get(org);

    private NamespaceKeyring Get(string org) =>
        _keyrings(org) ?? throw new InvalidOperationException($"No audit keyring for org '{org}'.");
}
