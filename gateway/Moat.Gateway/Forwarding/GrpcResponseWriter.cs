using System.Buffers.Binary;
using Google.Protobuf;

namespace Moat.Gateway.Forwarding;

/// <summary>Answers a unary gRPC call from middleware with one message and status OK (calls the gateway serves itself).</summary>
public static class GrpcResponseWriter
{
    public static async Task WriteAsync(HttpContext context, IMessage message)
    {
        var body = message.ToByteArray();
        var frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        await response.Body.WriteAsync(frame, context.RequestAborted);
        response.AppendTrailer("grpc-status", "0");
        await response.CompleteAsync();
    }
}
