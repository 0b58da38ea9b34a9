using System.Collections.Concurrent;
using System.Security.Cryptography;
using Moat.Internal.V1;
using Moat.Storage.Sealing;

namespace Moat.Audit.KeyVault;

/// <summary>
/// The org's audit keyring from the region's KeyVault (<c>GetAuditKeyring</c>): the current data
/// key for sealing batches, and any older one a header names for reading. Keys are held for the TTL
/// KeyVault answers with and zeroed when replaced.
/// </summary>
public sealed class KeyVaultAuditKeyProvider : IAuditKeyProvider, IDisposable
{
    private readonly Moat.Internal.V1.KeyVault.KeyVaultClient _vault;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (AuditSealingKey Key, DateTimeOffset FreshUntil)> _current = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Org, ulong Version, uint Dek), byte[]> _known = new();

    public KeyVaultAuditKeyProvider(Moat.Internal.V1.KeyVault.KeyVaultClient vault, TimeProvider? time = null)
    {
        _vault = vault;
        _time = time ?? TimeProvider.System;
    }

    public async ValueTask<AuditSealingKey> GetSealingKeyAsync(string org, CancellationToken cancellationToken)
    {
        if (_current.TryGetValue(org, out var cached) && cached.FreshUntil > _time.GetUtcNow())
        {
            return cached.Key;
        }

        var reply = await _vault.GetAuditKeyringAsync(new GetAuditKeyringRequest { Org = org }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
        var bytes = Remember(org, reply.Current);
        var key = new AuditSealingKey((long)reply.Current.Ref.KeyringVersion, reply.Current.Ref.DekId, bytes);
        var ttl = reply.CacheTtl?.ToTimeSpan() ?? TimeSpan.FromSeconds(60);
        _current[org] = (key, _time.GetUtcNow() + ttl);
        return key;
    }

    public IDataKeySource GetDataKeySource(string org) => new Source(this, org);

    public void Dispose()
    {
        foreach (var key in _known.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }

        _known.Clear();
    }

    private byte[] Remember(string org, DataKey key) =>
        _known.GetOrAdd((org, key.Ref.KeyringVersion, key.Ref.DekId), _ => key.Key.ToByteArray());

    private sealed class Source(KeyVaultAuditKeyProvider owner, string org) : IDataKeySource
    {
        public async ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken)
        {
            if (owner._known.TryGetValue((org, (ulong)keyringVersion, dekId), out var known))
            {
                return known;
            }

            var request = new GetAuditKeyringRequest { Org = org };
            request.Refs.Add(new DataKeyRef { KeyringVersion = (ulong)keyringVersion, DekId = dekId });
            var reply = await owner._vault.GetAuditKeyringAsync(request, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
            var match = reply.Keys.FirstOrDefault(k => k.Ref.DekId == dekId);
            return match is null ? null : owner.Remember(org, match);
        }
    }
}
