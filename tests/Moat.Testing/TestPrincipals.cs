using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Testing;

/// <summary>Principal tokens made by the test, signed with whatever certificate the test chooses.</summary>
public static class TestPrincipals
{
    public static PrincipalToken Token(string org, Role role, string audience, string method, string ns, TimeSpan? lifetime = null, DateTimeOffset? issuedAt = null, string nsid = "", string region = "dev-local")
    {
        var issued = issuedAt ?? DateTimeOffset.UtcNow;
        return new PrincipalToken
        {
            Kind = PrincipalKind.ApiKey,
            Org = org,
            ApiKeyId = "0123456789abcdef",
            Role = role,
            EndpointId = "loopback-dev",
            Method = method,
            Namespace = ns,
            NamespaceId = nsid,
            Region = region,
            Audience = audience,
            IssuedAtUnixMs = issued.ToUnixTimeMilliseconds(),
            ExpiresAtUnixMs = (issued + (lifetime ?? TimeSpan.FromSeconds(30))).ToUnixTimeMilliseconds(),
        };
    }

    /// <summary>The metadata a service reads the principal from.</summary>
    public static Grpc.Core.Metadata Metadata(byte[] signedPrincipal) => new() { { "moat-principal-bin", signedPrincipal } };

    public static byte[] Sign(PrincipalToken token, X509Certificate2 signer, bool corrupt = false)
    {
        using var key = signer.GetECDsaPrivateKey()!;
        var body = token.ToByteArray();
        var signature = key.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        if (corrupt)
        {
            signature[5] ^= 0x40;
        }

        var signed = new SignedPrincipal { Token = ByteString.CopyFrom(body), Signature = ByteString.CopyFrom(signature) };
        signed.SignerChain.Add(ByteString.CopyFrom(signer.RawData));
        return signed.ToByteArray();
    }
}
