using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Moat.V1;

namespace Moat.Hosting.Errors;

/// <summary>
/// Maps domain exceptions to status + <c>google.rpc.Status</c> details, names the capability of
/// RPCs not built yet, and masks everything unexpected as <c>INTERNAL</c> with a correlation id
/// (the detail goes to the log, never to the caller). Registered outermost: it sees what every other
/// interceptor and the service threw.
/// </summary>
public sealed partial class ErrorMappingInterceptor : Interceptor
{
    private readonly ILogger<ErrorMappingInterceptor> _logger;

    public ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger)
    {
        _logger = logger;
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException || IsBareUnimplemented(e))
        {
            throw Map(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException || IsBareUnimplemented(e))
        {
            throw Map(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (e is not RpcException || IsBareUnimplemented(e))
        {
            throw Map(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException || IsBareUnimplemented(e))
        {
            throw Map(e, context);
        }
    }

    // The generated base class of a service answers an RPC nobody implemented with a bare UNIMPLEMENTED.
    private static bool IsBareUnimplemented(Exception e) =>
        e is RpcException { StatusCode: StatusCode.Unimplemented } r && string.IsNullOrEmpty(r.Status.Detail) && r.Trailers.Count == 0;

    private RpcException Map(Exception e, ServerCallContext context)
    {
        switch (e)
        {
            case MoatException moat:
                LogDomainError(_logger, context.Method, moat.Status, moat.Reason.ToReason());
                return RpcErrors.From(moat);
            case RpcException:
                var capability = Capabilities.Of(context.Method);
                return RpcErrors.Create(
                    StatusCode.Unimplemented,
                    ErrorReason.CapabilityNotBuilt,
                    $"{context.Method} is not built yet: it belongs to {capability}.",
                    new Dictionary<string, string> { ["capability"] = capability });
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
            default:
                var correlationId = Guid.NewGuid().ToString("N");
                LogUnexpected(_logger, e, context.Method, correlationId);
                return RpcErrors.Create(
                    StatusCode.Internal,
                    ErrorReason.Internal,
                    $"internal error (correlation id {correlationId})",
                    new Dictionary<string, string> { ["correlation_id"] = correlationId });
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "{Method} failed with {Status} {Reason}")]
    private static partial void LogDomainError(ILogger logger, string method, StatusCode status, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "{Method} failed unexpectedly; correlation id {CorrelationId}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string correlationId);
}
