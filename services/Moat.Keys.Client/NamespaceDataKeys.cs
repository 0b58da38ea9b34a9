using System.Collections.Concurrent;
using System.Security.Cryptography;
using Moat.Internal.V1;
using Moat.Storage.Sealing;

namespace Moat.Keys.Client;

/// <summary>
/// The DEKs sealed headers of one namespace name, obtained for one <see cref="KeyAccess"/> and kept
/// as private copies until disposed (then zeroed). One per request or job: it never outlives the
/// access it was made for.
/// </summary>
public sealed class NamespaceDataKeys : IDataKeySource, IDisposable
{
    private readonly KeyVaultKeySource _source;
    private readonly KeyAccess _access;
    private readonly ConcurrentDictionary<(long Version, uint Id), byte[]> _keys = new();
    private bool _disposed;

    internal NamespaceDataKeys(KeyVaultKeySource source, KeyAccess access)
    {
        _source = source;
        _access = access;
    }

    public KeyAccess Access => _access;

    public async ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_keys.TryGetValue((keyringVersion, dekId), out var held))
        {
            return held;
        }

        var copy = await _source.CopyAsync(_access, new DataKeyRef { KeyringVersion = (ulong)keyringVersion, DekId = dekId }, cancellationToken).ConfigureAwait(false);
        if (copy is null)
        {
            return null;
        }

        if (!_keys.TryAdd((keyringVersion, dekId), copy))
        {
            CryptographicOperations.ZeroMemory(copy);
            return _keys[(keyringVersion, dekId)];
        }

        return copy;
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var key in _keys.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }

        _keys.Clear();
    }
}
