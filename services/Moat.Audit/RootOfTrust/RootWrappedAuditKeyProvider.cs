using System.Collections.Concurrent;
using Moat.Keys.RootOfTrust;
using Moat.Storage;
using Moat.Storage.Keyring;
using Moat.Storage.ObjectStore;
using Moat.Storage.Records;
using Moat.Storage.Sealing;

namespace Moat.Audit.RootOfTrust;

/// <summary>An org's audit KEK as a service without KeyVault keeps it: only wrapped by its root of trust.</summary>
public sealed record AuditKekRecord(string Org, string Wrapped, DateTimeOffset CreatedAt);

/// <summary>
/// The audit keyring of a service that has no KeyVault (the global router): per org, a KEK wrapped
/// by the service's own root of trust and a keyring of DEKs under it, in the service's own store.
/// Same formats as a namespace's (sealed-object batches, versioned keyring).
/// </summary>
public sealed class RootWrappedAuditKeyProvider : IAuditKeyProvider, IDisposable
{
    private readonly JsonRecordStore _records;
    private readonly IObjectStore _store;
    private readonly IRootKeyProvider _root;
    private readonly string _rootKeyId;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, NamespaceKeyring> _keyrings = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public RootWrappedAuditKeyProvider(IObjectStore store, IRootKeyProvider root, string rootKeyId, TimeProvider time)
    {
        _store = store;
        _records = new JsonRecordStore(store);
        _root = root;
        _rootKeyId = rootKeyId;
        _time = time;
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

        _gate.Dispose();
    }

    private static string KeyringId(string org) => $"audit.{org}";

    private async Task<NamespaceKeyring> KeyringAsync(string org, CancellationToken cancellationToken)
    {
        if (_keyrings.TryGetValue(org, out var cached))
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_keyrings.TryGetValue(org, out cached))
            {
                return cached;
            }

            var context = RootKeyContext.ForNamespace(org, KeyringId(org));
            var recordKey = $"audit-keks/{org}";
            if (await _records.GetAsync<AuditKekRecord>(recordKey, cancellationToken) is null)
            {
                using var fresh = SecretBytes.Random(32);
                var wrapped = await _root.WrapAsync(_rootKeyId, fresh.Memory, context, cancellationToken);
                await _records.TryCreateAsync(recordKey, new AuditKekRecord(org, Convert.ToBase64String(wrapped.Encode()), _time.GetUtcNow()), cancellationToken);
            }

            var record = (await _records.GetAsync<AuditKekRecord>(recordKey, cancellationToken))!.Value.Value;
            using var kek = await _root.UnwrapAsync(WrappedKey.Decode(Convert.FromBase64String(record.Wrapped)), context, cancellationToken);
            using var wrapper = new AesGcmKeyWrapper(1, kek.Span);
            var path = StoragePaths.Keyring(KeyringId(org), 1);
            var stored = await _store.GetAsync(path, null, cancellationToken);
            NamespaceKeyring keyring;
            if (stored is null)
            {
                keyring = NamespaceKeyring.CreateFirst(KeyringId(org), wrapper, _time);
                try
                {
                    await _store.PutAsync(path, keyring.Serialize(), PutCondition.IfAbsent, cancellationToken);
                }
                catch (ObjectStorePreconditionFailedException)
                {
                    keyring.Dispose();
                    stored = await _store.GetAsync(path, null, cancellationToken);
                    keyring = NamespaceKeyring.Parse(stored!.Data.Span, KeyringId(org), 1, wrapper);
                }
            }
            else
            {
                keyring = NamespaceKeyring.Parse(stored.Data.Span, KeyringId(org), 1, wrapper);
            }

            _keyrings[org] = keyring;
            return keyring;
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed class Source(RootWrappedAuditKeyProvider owner, string org) : IDataKeySource
    {
        public async ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken) =>
            await (await owner.KeyringAsync(org, cancellationToken)).GetDataKeyAsync(keyringVersion, dekId, cancellationToken);
    }
}
