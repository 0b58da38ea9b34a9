using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Moat.Hosting.Errors;
using Moat.Hosting.Identity;
using Moat.V1;

namespace Moat.Hosting.Principals;

/// <summary>
/// For every RPC that acts for a caller (the public <c>moat.v1</c> services), requires a verified
/// principal whose namespace is the request's (field 1, <c>namespace</c>). Runs after the call
/// policy (the peer is the gateway) and before the service.
/// </summary>
public sealed class PrincipalInterceptor : Interceptor
{
    private readonly PrincipalVerifier _verifier;

    public PrincipalInterceptor(PrincipalVerifier verifier)
    {
        _verifier = verifier;
    }

    /// <summary>The gRPC services that act for a caller and so need a principal on every call.</summary>
    public static bool RequiresPrincipal(string fullMethod) =>
        CallPolicy.Split(fullMethod).Service.StartsWith("moat.v1.", StringComparison.Ordinal);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(request, context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(request, context);
        return continuation(request, responseStream, context);
    }

    private void Authenticate(object request, ServerCallContext context)
    {
        if (!RequiresPrincipal(context.Method))
        {
            return;
        }

        var entry = context.RequestHeaders.Get(PrincipalMetadata.Header);
        if (entry is null || !entry.IsBinary)
        {
            throw new MoatException(StatusCode.Unauthenticated, ErrorReason.PrincipalMissing, "the call carries no principal");
        }

        var token = _verifier.Verify(entry.ValueBytes, context.Method, NamespaceOf(request));
        CallerPrincipal.Set(context, token);
    }

    /// <summary>Field 1 of a data request, when it is the string field <c>namespace</c>; else empty.</summary>
    public static string NamespaceOf(object request)
    {
        if (request is not IMessage message)
        {
            return string.Empty;
        }

        var field = message.Descriptor.FindFieldByNumber(1);
        return field is { Name: "namespace", FieldType: FieldType.String } && field.Accessor.GetValue(message) is string value
            ? value
            : string.Empty;
    }
}
