using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.V1;

namespace Moat.Keys.Client;

/// <summary>
/// KeyVault's refusals as domain errors of the service that asked, so the caller sees the reason
/// KeyVault gave (KEY_DISABLED, KEY_DESTROYED, PRINCIPAL_NAMESPACE_MISMATCH, ...) with its status and
/// metadata; an unreachable KeyVault is UNAVAILABLE + UPSTREAM_UNAVAILABLE (fail closed).
/// </summary>
public static class KeyVaultErrors
{
    public static Exception Translate(RpcException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var info = e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>();
        if (info is not null && ErrorReasons.TryParse(info.Reason, out var reason))
        {
            return new MoatException(e.StatusCode, reason, e.Status.Detail, info.Metadata.ToDictionary(m => m.Key, m => m.Value));
        }

        return e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unknown
            ? new MoatException(StatusCode.Unavailable, ErrorReason.UpstreamUnavailable, "the keys service cannot be reached; retry later",
                new Dictionary<string, string> { ["dependency"] = "keys" })
            : e;
    }

    /// <summary>Whether a reason says the namespace's key cannot be used (so nothing may be sealed or unsealed).</summary>
    public static bool IsKeyUnusable(ErrorReason reason) =>
        reason is ErrorReason.KeyDisabled or ErrorReason.KeyDestroyed or ErrorReason.KeyPendingDestruction
            or ErrorReason.KeyStateUnavailable or ErrorReason.ExternalKeyAccessDenied;
}
