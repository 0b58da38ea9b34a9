namespace Moat.Audit;

/// <summary>The verification keys a verifier trusts, by key id (pinned from ListRegions or the docs).</summary>
public sealed class AuditTrustedKeys : IDisposable
{
    private readonly Dictionary<string, AuditVerificationKey> _keys = new(StringComparer.Ordinal);

    public AuditTrustedKeys(params IEnumerable<AuditVerificationKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            _keys[key.KeyId] = key;
        }
    }

    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    /// <summary>Whether <paramref name="signature"/> over <paramref name="data"/> verifies under the trusted key <paramref name="keyId"/>.</summary>
    public bool Verify(string keyId, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        _keys.TryGetValue(keyId, out var key) && key.Verify(data, signature);

    public bool IsTrusted(string keyId) => _keys.ContainsKey(keyId);

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }
}
