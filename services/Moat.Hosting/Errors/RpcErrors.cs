using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Moat.V1;

namespace Moat.Hosting.Errors;

/// <summary>Builds <see cref="RpcException"/>s that carry <c>google.rpc.Status</c> details (ErrorInfo, BadRequest).</summary>
public static class RpcErrors
{
    public static RpcException Create(StatusCode code, ErrorReason reason, string message, IReadOnlyDictionary<string, string>? metadata = null, BadRequest? badRequest = null)
    {
        var info = new ErrorInfo { Reason = reason.ToReason(), Domain = ErrorReasons.Domain };
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                info.Metadata[key] = value;
            }
        }

        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(info));
        if (badRequest is not null)
        {
            status.Details.Add(Any.Pack(badRequest));
        }

        return status.ToRpcException();
    }

    public static RpcException From(MoatException e)
    {
        BadRequest? badRequest = null;
        if (e is MoatValidationException validation)
        {
            badRequest = new BadRequest();
            badRequest.FieldViolations.AddRange(validation.Violations.Select(v =>
                new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description }));
        }

        return Create(e.Status, e.Reason, e.Message, e.Metadata, badRequest);
    }

    /// <summary>The ErrorInfo reason of an RpcException, if it carries one.</summary>
    public static string? ReasonOf(RpcException e) =>
        e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason;
}
