using System.Security.Cryptography;
using Moat.Keys.RootOfTrust;
using Moat.Storage.Records;

namespace Moat.Audit.RootOfTrust;

/// <summary>An audit signing key as stored: the private key only wrapped by the root of trust.</summary>
public sealed record AuditSigningKeyRecord(string KeyId, string PublicKey, string WrappedPrivateKey, DateTimeOffset CreatedAt);

/// <summary>
/// An audit signing key (ECDSA P-256) whose private key is stored only wrapped by a root of trust:
/// KeyVault's (one per region) and the router's (global). Created on first use; its public key is
/// published so customers can pin it (DESIGN section 10). Signing releases no key.
/// </summary>
public sealed class RootWrappedAuditSigner : IAuditSigner, IDisposable
{
    public const string RecordKey = "audit/signing-key";
    private readonly RootKeyContext _context;
    private readonly JsonRecordStore _keyStore;
    private readonly IRootKeyProvider _root;
    private readonly string _rootKeyId;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string KeyId, ECDsa Key)? _loaded;

    /// <param name="records">Where the wrapped key is kept (the key store; the router's store).</param>
    /// <param name="owner">Whose key it is (e.g. "keys" or "router"); binds the wrapping.</param>
    public RootWrappedAuditSigner(JsonRecordStore records, IRootKeyProvider root, string rootKeyId, string owner, TimeProvider time)
    {
        _keyStore = records;
        _root = root;
        _rootKeyId = rootKeyId;
        _context = RootKeyContext.ForNamespace("moat-audit", owner);
        _time = time;
    }

    /// <summary>The signing key's id (loaded at start by <see cref="EnsureLoadedAsync"/>).</summary>
    public string KeyId => _loaded?.KeyId ?? throw new InvalidOperationException("the audit signing key is not loaded yet");

    public async Task EnsureLoadedAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var (_, key) = await LoadAsync(cancellationToken);
        return key.SignData(data.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>The public key (DER SubjectPublicKeyInfo) and its id, for publication.</summary>
    public async Task<(string KeyId, byte[] PublicKey)> PublicKeyAsync(CancellationToken cancellationToken)
    {
        var (keyId, key) = await LoadAsync(cancellationToken);
        return (keyId, key.ExportSubjectPublicKeyInfo());
    }

    public void Dispose()
    {
        _loaded?.Key.Dispose();
        _gate.Dispose();
    }

    private async Task<(string KeyId, ECDsa Key)> LoadAsync(CancellationToken cancellationToken)
    {
        if (_loaded is { } loaded)
        {
            return loaded;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_loaded is { } again)
            {
                return again;
            }

            var record = (await _keyStore.GetAsync<AuditSigningKeyRecord>(RecordKey, cancellationToken))?.Value;
            if (record is null)
            {
                using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var pkcs8 = fresh.ExportPkcs8PrivateKey();
                try
                {
                    var wrapped = await _root.WrapAsync(_rootKeyId, pkcs8, _context, cancellationToken);
                    var spki = fresh.ExportSubjectPublicKeyInfo();
                    var candidate = new AuditSigningKeyRecord(Convert.ToHexStringLower(SHA256.HashData(spki))[..16], Convert.ToBase64String(spki), Convert.ToBase64String(wrapped.Encode()), _time.GetUtcNow());
                    await _keyStore.TryCreateAsync(RecordKey, candidate, cancellationToken);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(pkcs8);
                }

                // Whoever won a race to create it, everyone uses the stored one.
                record = (await _keyStore.GetAsync<AuditSigningKeyRecord>(RecordKey, cancellationToken))!.Value.Value;
            }

            using var privateKey = await _root.UnwrapAsync(WrappedKey.Decode(Convert.FromBase64String(record.WrappedPrivateKey)), _context, cancellationToken);
            var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(privateKey.Span, out _);
            _loaded = (record.KeyId, key);
            return _loaded.Value;
        }
        finally
        {
            _gate.Release();
        }
    }
}
