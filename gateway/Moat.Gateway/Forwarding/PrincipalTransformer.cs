using Moat.Hosting.Principals;
using Yarp.ReverseProxy.Forwarder;

namespace Moat.Gateway.Forwarding;

/// <summary>
/// Shapes the forwarded request: every <c>moat-*</c> header a client sent and its API key are
/// removed, and the gateway's signed principal is attached. Nothing else a client sends can claim
/// anything to a service.
/// </summary>
public sealed class PrincipalTransformer : HttpTransformer
{
    private readonly byte[] _signedPrincipal;

    public PrincipalTransformer(byte[] signedPrincipal)
    {
        _signedPrincipal = signedPrincipal;
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        foreach (var name in proxyRequest.Headers.Select(h => h.Key).ToList())
        {
            if (IsStripped(name))
            {
                proxyRequest.Headers.Remove(name);
            }
        }

        // Binary metadata travels base64-encoded on HTTP/2 (the gRPC "-bin" convention).
        proxyRequest.Headers.TryAddWithoutValidation(PrincipalMetadata.Header, Convert.ToBase64String(_signedPrincipal));
    }

    /// <summary>Headers never forwarded: Moat's own namespace, and the caller's credentials.</summary>
    public static bool IsStripped(string name) =>
        name.StartsWith(PrincipalMetadata.ReservedPrefix, StringComparison.OrdinalIgnoreCase)
        || name.Equals("authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("cookie", StringComparison.OrdinalIgnoreCase);
}
