using Grpc.Core;

namespace Moat.Hosting.Identity;

/// <summary>The verified SPIFFE identity of the TLS peer of a call (checked in the handshake).</summary>
public static class PeerIdentity
{
    private const string ItemKey = "moat.peer-identity";

    internal static void Set(Microsoft.AspNetCore.Http.HttpContext http, SpiffeId id) => http.Items[ItemKey] = id;

    public static SpiffeId? Get(Microsoft.AspNetCore.Http.HttpContext http) =>
        http.Items.TryGetValue(ItemKey, out var value) ? value as SpiffeId : null;

    public static SpiffeId? Get(ServerCallContext context) => Get(context.GetHttpContext());
}
