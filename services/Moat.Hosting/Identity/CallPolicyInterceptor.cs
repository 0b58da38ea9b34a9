using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moat.Hosting.Configuration;
using Moat.Hosting.Errors;
using Moat.Hosting.Tls;
using Moat.V1;

namespace Moat.Hosting.Identity;

/// <summary>
/// Enforces <see cref="CallPolicy"/> on every RPC of the internal mTLS listener: the peer's
/// certificate was already chained to our root in the handshake; here its SPIFFE identity must be
/// a caller the matrix admits for this method, else PERMISSION_DENIED + CALLER_NOT_ALLOWED.
/// Registered right inside error mapping (error mapping → call policy → principal → host interceptors).
/// </summary>
public sealed partial class CallPolicyInterceptor : Interceptor
{
    private readonly TrustBundle _trust;
    private readonly ListenerRegistry _listeners;
    private readonly MoatOptions _options;
    private readonly ILogger<CallPolicyInterceptor> _logger;

    public CallPolicyInterceptor(TrustBundle trust, ListenerRegistry listeners, IOptions<MoatOptions> options, ILogger<CallPolicyInterceptor> logger)
    {
        _trust = trust;
        _listeners = listeners;
        _options = options.Value;
        _logger = logger;
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        if (_listeners.IsCustomerListener(http.Connection.LocalPort))
        {
            // Customer listeners carry no service identity; they serve only what the gateway maps
            // there (health, and the authenticated public API), never an internal service.
            if (CallPolicy.Split(context.Method).Service == "grpc.health.v1.Health")
            {
                return;
            }

            throw RpcErrors.Create(StatusCode.PermissionDenied, ErrorReason.CallerNotAllowed, $"{context.Method} is not served on this listener.");
        }

        if (!_trust.TryValidateClient(http.Connection.ClientCertificate, out var caller, out var error))
        {
            LogRefused(_logger, context.Method, error);
            throw RpcErrors.Create(StatusCode.Unauthenticated, ErrorReason.CallerNotAllowed, "the peer certificate is not a valid identity of this deployment");
        }

        PeerIdentity.Set(http, caller);
        if (!CallPolicy.IsAllowed(context.Method, caller, _options.Region))
        {
            LogNotAllowed(_logger, caller.ToString(), context.Method);
            throw RpcErrors.Create(
                StatusCode.PermissionDenied,
                ErrorReason.CallerNotAllowed,
                $"{caller} may not call {context.Method}.",
                new Dictionary<string, string> { ["caller"] = caller.ToString(), ["method"] = context.Method });
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Refused {Method}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Caller {Caller} is not allowed to call {Method}")]
    private static partial void LogNotAllowed(ILogger logger, string caller, string method);
}
