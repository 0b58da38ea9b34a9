using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Hosting.Identity;
using Moat.Hosting.Tls;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Hosting.Principals;

/// <summary>
/// Verifies a signed principal for one call (DESIGN section 4): signature; signer identity (a
/// caller principal is signed by this region's gateway, a job principal by the router, both issued
/// by the service intermediate); expiry and lifetime; audience (this service); region; method; and
/// that the namespace in the token is the one in the request the service parsed. Any mismatch
/// refuses the call: a service never acts on an unsigned or mismatched principal.
/// </summary>
public sealed class PrincipalVerifier
{
    private readonly TrustBundle _trust;
    private readonly string _service;
    private readonly string _region;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (SpiffeId Id, ECDsa Key, DateTimeOffset NotAfter)> _signers = new(StringComparer.Ordinal);

    public PrincipalVerifier(TrustBundle trust, string service, string region, TimeProvider time)
    {
        _trust = trust;
        _service = service;
        _region = region;
        _time = time;
    }

    public PrincipalToken Verify(ReadOnlySpan<byte> signedBytes, string method, string requestNamespace)
    {
        var token = VerifyForwarded(signedBytes, _service);
        if (token.Kind != PrincipalKind.Job && token.Method != method)
        {
            throw Refuse(StatusCode.PermissionDenied, ErrorReason.PrincipalWrongAudience, "the principal was issued for another method");
        }

        if (token.Namespace != requestNamespace)
        {
            throw Refuse(StatusCode.PermissionDenied, ErrorReason.PrincipalNamespaceMismatch, "the principal's namespace is not the request's namespace");
        }

        return token;
    }

    /// <summary>
    /// A principal a service passes on with its own call (write or query to KeyVault): signature,
    /// signer, expiry, region, and an audience that must be the calling service. The receiver checks
    /// the org and namespace id against its own records.
    /// </summary>
    public PrincipalToken VerifyForwarded(ReadOnlySpan<byte> signedBytes, string audience)
    {
        SignedPrincipal signed;
        PrincipalToken token;
        try
        {
            signed = SignedPrincipal.Parser.ParseFrom(signedBytes);
            token = PrincipalToken.Parser.ParseFrom(signed.Token);
        }
        catch (InvalidProtocolBufferException)
        {
            throw Refuse(StatusCode.Unauthenticated, ErrorReason.PrincipalInvalid, "the principal is malformed");
        }

        if (signed.SignerChain.Count == 0)
        {
            throw Refuse(StatusCode.Unauthenticated, ErrorReason.PrincipalInvalid, "the principal names no signer");
        }

        var signer = Signer(signed.SignerChain[0]);
        if (!signer.Key.VerifyData(signed.Token.Span, signed.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            throw Refuse(StatusCode.Unauthenticated, ErrorReason.PrincipalInvalid, "the principal's signature does not verify");
        }

        // Caller principals come from the gateway of the token's region: this service's region for a
        // regional service; any region for the global router. Job principals come from the router.
        var tokenRegion = _service == MoatServices.Router ? token.Region : _region;
        var expectedSigner = token.Kind == PrincipalKind.Job
            ? SpiffeId.ForService(_trust.TrustDomain, MoatServices.GlobalRegion, MoatServices.Router)
            : SpiffeId.ForService(_trust.TrustDomain, tokenRegion, MoatServices.Gateway);
        if (token.Kind == PrincipalKind.Unspecified || signer.Id != expectedSigner)
        {
            throw Refuse(StatusCode.PermissionDenied, ErrorReason.PrincipalSignerNotAllowed, $"a {token.Kind} principal signed by {signer.Id} is not accepted here");
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var lifetime = token.ExpiresAtUnixMs - token.IssuedAtUnixMs;
        if (token.ExpiresAtUnixMs <= now || lifetime <= 0 || lifetime > (long)PrincipalMetadata.MaxLifetime.TotalMilliseconds
            || token.IssuedAtUnixMs > now + (long)PrincipalMetadata.ClockSkew.TotalMilliseconds)
        {
            throw Refuse(StatusCode.Unauthenticated, ErrorReason.PrincipalExpired, "the principal has expired or is not yet valid");
        }

        if (token.Audience != audience)
        {
            throw Refuse(StatusCode.PermissionDenied, ErrorReason.PrincipalWrongAudience, $"the principal is for '{token.Audience}', not for {audience}");
        }

        if (token.Kind != PrincipalKind.Job && token.Region != tokenRegion)
        {
            throw Refuse(StatusCode.PermissionDenied, ErrorReason.PrincipalWrongAudience, $"the principal is for region '{token.Region}', not {_region}");
        }

        return token;
    }

    private (SpiffeId Id, ECDsa Key, DateTimeOffset NotAfter) Signer(ByteString der)
    {
        var cacheKey = Convert.ToHexString(SHA256.HashData(der.Span));
        if (_signers.TryGetValue(cacheKey, out var cached) && cached.NotAfter > _time.GetUtcNow())
        {
            return cached;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der.Span);
        }
        catch (CryptographicException)
        {
            throw Refuse(StatusCode.Unauthenticated, ErrorReason.PrincipalInvalid, "the principal's signer certificate is malformed");
        }

        using (certificate)
        {
            if (!_trust.TryValidateClient(certificate, out var id, out _))
            {
                throw Refuse(StatusCode.PermissionDenied, ErrorReason.PrincipalSignerNotAllowed, "the principal's signer is not a valid identity of this deployment");
            }

            var key = certificate.GetECDsaPublicKey()
                ?? throw Refuse(StatusCode.Unauthenticated, ErrorReason.PrincipalInvalid, "the principal's signer has no ECDSA key");
            var entry = (id, key, new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
            _signers[cacheKey] = entry;
            return entry;
        }
    }

    private static MoatException Refuse(StatusCode status, ErrorReason reason, string message) => new(status, reason, message);
}
