using System.Collections.Concurrent;
using Moat.Audit;
using Moat.Keys.NamespaceKeys;
using Moat.Keys.Vault;
using Moat.Storage.Keyring;
using Moat.Storage.Sealing;

namespace Moat.Keys.Audit;

/// <summary>
/// The keys service's own audit writer gets the org's audit keyring in-process (it is KeyVault),
/// the same keyring other services get through <c>KeyVault.GetAuditKeyring</c>.
/// </summary>
public sealed class LocalAuditKeyProvider : IAuditKeyProvider, IDisposable
{
    private readonly NamespaceKekManager _keks;
    private readonly ConcurrentDictionary<string, NamespaceKeyring> _keyrings = new(StringComparer.Ordinal);

    public LocalAuditKeyProvider(NamespaceKekManager keks)
    {
        _keks = keks;
    }

    public async ValueTask<AuditSealingKey> GetSealingKeyAsync(string org, CancellationToken cancellationToken)
    {
        var keyring = await KeyringAsync(org, cancellationToken);
        keyring.TryGetDataKey(keyring.CurrentDataKey.Id, out var key);
        return new AuditSealingKey(keyring.Version, keyring.CurrentDataKey.Id, key);
    }

    public IDataKeySource GetDataKeySource(string org) => new Source(this, org);

    public void Dispose()
    {
        foreach (var keyring in _keyrings.Values)
        {
            keyring.Dispose();
        }
    }

    private async Task<NamespaceKeyring> KeyringAsync(string org, CancellationToken cancellationToken)
    {
        if (_keyrings.TryGetValue(org, out var cached))
        {
            return cached;
        }

        var (record, _, _) = await _keks.CreateAsync(org, KeyVaultApi.AuditNamespaceId(org), "audit", string.Empty, string.Empty, cancellationToken);
        var keyring = await _keks.OpenKeyringAsync(record, cancellationToken)
            ?? throw new InvalidOperationException("the audit keyring was not created");
        if (!_keyrings.TryAdd(org, keyring))
        {
            keyring.Dispose();
        }

        return _keyrings[org];
    }

    private sealed class Source(LocalAuditKeyProvider owner, string org) : IDataKeySource
    {
        public async ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken) =>
            await (await owner.KeyringAsync(org, cancellationToken)).GetDataKeyAsync(keyringVersion, dekId, cancellationToken);
    }
}
