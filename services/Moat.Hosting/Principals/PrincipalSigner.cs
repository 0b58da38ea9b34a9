using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Moat.Hosting.Tls;
using Moat.Internal.V1;

namespace Moat.Hosting.Principals;

/// <summary>
/// Signs principal tokens with this process's SVID key (ECDSA P-256, SHA-256, IEEE P1363) and
/// attaches the signer's certificate, so the verifier can check who signed without a lookup. The
/// gateway signs caller principals; the router signs job principals.
/// </summary>
public sealed class PrincipalSigner
{
    private readonly CertificateHolder _holder;

    public PrincipalSigner(CertificateHolder holder)
    {
        _holder = holder;
    }

    public byte[] Sign(PrincipalToken token)
    {
        var certificate = _holder.Certificate;
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the SVID has no ECDSA private key");
        var body = token.ToByteArray();
        var signed = new SignedPrincipal
        {
            Token = ByteString.CopyFrom(body),
            Signature = ByteString.CopyFrom(key.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
        };
        signed.SignerChain.Add(ByteString.CopyFrom(certificate.RawData));
        return signed.ToByteArray();
    }
}
