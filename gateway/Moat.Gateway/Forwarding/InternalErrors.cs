using Google.Rpc;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.V1;

namespace Moat.Gateway.Forwarding;

/// <summary>
/// An internal service's refusal, met by the gateway while it answers a call itself (namespace
/// creation), as the domain error the client gets: the service's status, reason, metadata and
/// field violations; a service that cannot be reached is UNAVAILABLE + UPSTREAM_UNAVAILABLE.
/// </summary>
public static class InternalErrors
{
    public static MoatException Translate(RpcException e, string dependency)
    {
        ArgumentNullException.ThrowIfNull(e);
        var status = e.GetRpcStatus();
        var info = status?.GetDetail<ErrorInfo>();
        if (info is not null && ErrorReasons.TryParse(info.Reason, out var reason))
        {
            var metadata = info.Metadata.ToDictionary(m => m.Key, m => m.Value);
            var badRequest = status!.GetDetail<BadRequest>();
            return badRequest is { FieldViolations.Count: > 0 }
                ? new MoatValidationException([.. badRequest.FieldViolations.Select(v => new FieldViolation(v.Field, v.Description))], reason, metadata)
                : new MoatException(e.StatusCode, reason, e.Status.Detail, metadata);
        }

        return new MoatException(StatusCode.Unavailable, ErrorReason.UpstreamUnavailable, $"the {dependency} service is unavailable; retry later",
            new Dictionary<string, string> { ["dependency"] = dependency });
    }
}
