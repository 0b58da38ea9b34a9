using System.Security.Cryptography;

namespace Moat.Audit;

/// <summary>A published audit verification key: id and DER SubjectPublicKeyInfo of an ECDSA P-256 key.</summary>
public sealed class AuditVerificationKey : IDisposable
{
    private readonly ECDsa _key;

    public AuditVerificationKey(string keyId, ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        KeyId = keyId;
        SubjectPublicKeyInfo = subjectPublicKeyInfo.ToArray();
        _key = ECDsa.Create();
        try
        {
            _key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
            if (_key.KeySize != 256)
            {
                throw new ArgumentException("An audit verification key is ECDSA P-256.", nameof(subjectPublicKeyInfo));
            }
        }
        catch
        {
            _key.Dispose();
            throw;
        }
    }

    public string KeyId { get; }

    /// <summary>DER SubjectPublicKeyInfo (what is published).</summary>
    public ReadOnlyMemory<byte> SubjectPublicKeyInfo { get; }

    /// <summary>Whether <paramref name="signature"/> (IEEE P1363) is this key's ECDSA-SHA256 signature of <paramref name="data"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        _key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public void Dispose() => _key.Dispose();
}
