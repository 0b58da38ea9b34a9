using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.V1;

namespace Moat.Gateway.Forwarding;

/// <summary>
/// Answers a gRPC call from middleware with a trailers-only response: the status, message and
/// <c>grpc-status-details-bin</c> (a <c>google.rpc.Status</c> with ErrorInfo), so a client reads the
/// reason the same way as from a service.
/// </summary>
public static class GrpcErrorWriter
{
    public static Task WriteAsync(HttpContext context, StatusCode code, ErrorReason reason, string message, IReadOnlyDictionary<string, string>? metadata = null) =>
        WriteAsync(context, RpcErrors.Create(code, reason, message, metadata));

    /// <summary>Writes the status of a domain exception (with BadRequest violations for invalid input).</summary>
    public static Task WriteAsync(HttpContext context, MoatException e) => WriteAsync(context, RpcErrors.From(e));

    private static Task WriteAsync(HttpContext context, RpcException exception)
    {
        var code = exception.StatusCode;
        var message = exception.Status.Detail;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        var details = exception.Trailers.GetValueBytes("grpc-status-details-bin");
        if (details is not null)
        {
            response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(details);
        }

        return response.CompleteAsync();
    }
}
