using System.Security.Cryptography;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Moat.V1;

namespace Moat.Audit;

/// <summary>
/// A local ECDSA P-256 audit signing key (the router's own, and tests'). Signs SHA-256, IEEE P1363.
/// As an <see cref="IAuditDigestSigner"/> it signs digests without a registry; put it behind an
/// <see cref="AuditCheckpointer"/> to get checkpoints too.
/// </summary>
public sealed class EcdsaAuditSigner : IAuditSigner, IAuditDigestSigner, IDisposable
{
    private readonly ECDsa _key;
    private readonly TimeProvider _time;

    private EcdsaAuditSigner(string keyId, ECDsa key, TimeProvider? time)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        KeyId = keyId;
        _key = key;
        _time = time ?? TimeProvider.System;
    }

    public string KeyId { get; }

    /// <summary>A fresh key.</summary>
    public static EcdsaAuditSigner Create(string keyId, TimeProvider? time = null) =>
        new(keyId, ECDsa.Create(ECCurve.NamedCurves.nistP256), time);

    /// <summary>A key from its PKCS#8 DER private key (e.g. read from a secret store).</summary>
    public static EcdsaAuditSigner ImportPkcs8(string keyId, ReadOnlySpan<byte> pkcs8PrivateKey, TimeProvider? time = null)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8PrivateKey, out _);
            if (key.KeySize != 256)
            {
                throw new ArgumentException("An audit signing key is ECDSA P-256.", nameof(pkcs8PrivateKey));
            }

            return new EcdsaAuditSigner(keyId, key, time);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The private key, PKCS#8 DER (to keep it in a secret store; never log it).</summary>
    public byte[] ExportPkcs8PrivateKey() => _key.ExportPkcs8PrivateKey();

    /// <summary>The public key as DER SubjectPublicKeyInfo, for publication.</summary>
    public byte[] ExportSubjectPublicKeyInfo() => _key.ExportSubjectPublicKeyInfo();

    /// <summary>The public key as a verifier holds it.</summary>
    public AuditVerificationKey VerificationKey => new(KeyId, ExportSubjectPublicKeyInfo());

    public byte[] Sign(ReadOnlySpan<byte> data) =>
        _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.FromResult(Sign(data.Span));

    public Task<SignedAuditDigest> SignDigestAsync(string org, AuditDigestBody body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var signedBody = body.Clone();
        signedBody.SignedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow());
        var bytes = signedBody.ToByteArray();
        return Task.FromResult(new SignedAuditDigest
        {
            Body = ByteString.CopyFrom(bytes),
            Signature = ByteString.CopyFrom(Sign(bytes)),
            SigningKeyId = KeyId,
        });
    }

    public void Dispose() => _key.Dispose();
}
