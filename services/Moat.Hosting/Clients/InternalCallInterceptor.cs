using Grpc.Core;
using Grpc.Core.Interceptors;
using Polly;
using Polly.Retry;

namespace Moat.Hosting.Clients;

/// <summary>
/// Every internal call gets a deadline; only idempotent unary calls are retried (jittered
/// exponential backoff, transient statuses only). A non-idempotent call whose outcome is unknown is
/// never retried blindly.
/// </summary>
public sealed class InternalCallInterceptor : Interceptor
{
    private static readonly ResiliencePipeline Retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(100),
            ShouldHandle = new PredicateBuilder().Handle<RpcException>(e => e.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted),
        })
        .Build();

    private readonly TimeSpan _defaultDeadline;

    public InternalCallInterceptor(TimeSpan defaultDeadline)
    {
        _defaultDeadline = defaultDeadline;
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        context = WithDeadline(context);
        if (!IdempotentMethods.IsIdempotent(context.Method.FullName))
        {
            return continuation(request, context);
        }

        var ctx = context;
        var response = Retry.ExecuteAsync(
            async token => await continuation(request, ctx).ResponseAsync.ConfigureAwait(false),
            ctx.Options.CancellationToken).AsTask();
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithDeadline(context));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(WithDeadline(context));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(WithDeadline(context));

    private ClientInterceptorContext<TRequest, TResponse> WithDeadline<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class =>
        context.Options.Deadline is null
            ? new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithDeadline(DateTime.UtcNow + _defaultDeadline))
            : context;
}
