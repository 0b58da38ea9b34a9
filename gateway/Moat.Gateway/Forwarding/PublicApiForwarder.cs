using Grpc.Core;
using Microsoft.Extensions.Options;
using Moat.Gateway.Audit;
using Moat.Gateway.Authentication;
using Moat.Gateway.Namespaces;
using Moat.Hosting.Configuration;
using Moat.Hosting.Errors;
using Moat.Hosting.Identity;
using Moat.Hosting.Principals;
using Moat.Internal.V1;
using Moat.V1;
using Yarp.ReverseProxy.Forwarder;

namespace Moat.Gateway.Forwarding;

/// <summary>
/// The public door, on customer listeners only: authenticate the API key (router, cached),
/// authorize its role and namespace scope for the method, read the namespace from the request,
/// sign a principal for the target service, and forward over mTLS to this region's service.
/// Failures answer with a gRPC status and reason; upstream failures become UNAVAILABLE.
/// </summary>
public sealed partial class PublicApiForwarder
{
    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        Version = System.Net.HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = TimeSpan.FromMinutes(10),
    };

    private readonly IHttpForwarder _forwarder;
    private readonly UpstreamInvokers _upstreams;
    private readonly ApiKeyAuthenticator _authenticator;
    private readonly PrincipalSigner _signer;
    private readonly ListenerRegistry _listeners;
    private readonly MoatOptions _moat;
    private readonly ForwardingOptions _options;
    private readonly TimeProvider _time;
    private readonly GatewayAudit _audit;
    private readonly NamespaceResolver _namespaces;
    private readonly NamespaceCreator _creator;
    private readonly CreateNamespaceHandler _createNamespace;
    private readonly ILogger<PublicApiForwarder> _logger;

    public PublicApiForwarder(IHttpForwarder forwarder, UpstreamInvokers upstreams, ApiKeyAuthenticator authenticator, NamespaceResolver namespaces, NamespaceCreator creator,
        CreateNamespaceHandler createNamespace, PrincipalSigner signer, ListenerRegistry listeners, IOptions<MoatOptions> moat, IOptions<ForwardingOptions> options,
        TimeProvider time, GatewayAudit audit, ILogger<PublicApiForwarder> logger)
    {
        _creator = creator;
        _createNamespace = createNamespace;
        _namespaces = namespaces;
        _audit = audit;
        _forwarder = forwarder;
        _upstreams = upstreams;
        _authenticator = authenticator;
        _signer = signer;
        _listeners = listeners;
        _moat = moat.Value;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Middleware: handles public RPCs on customer listeners, passes everything else on.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var port = context.Connection.LocalPort;
        if (!_listeners.IsCustomerListener(port) || !(context.Request.Path.Value ?? string.Empty).StartsWith("/moat.v1.", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        try
        {
            await ForwardAsync(context, _listeners.NameOf(port));
        }
        catch (MoatException e)
        {
            LogRefused(_logger, context.Request.Path, e.Status, e.Reason.ToReason());
            if (!context.Response.HasStarted)
            {
                await GrpcErrorWriter.WriteAsync(context, e);
            }
        }
    }

    private async Task ForwardAsync(HttpContext context, string endpointId)
    {
        var route = PublicRoutes.Find(context.Request.Path)
            ?? throw new MoatException(StatusCode.Unimplemented, ErrorReason.InvalidArgument, $"{context.Request.Path} is not an RPC of the Moat API");
        ApiKeyIdentity caller;
        try
        {
            caller = await _authenticator.AuthenticateAsync(context.Request.Headers.Authorization, endpointId, _moat.Region, context.RequestAborted);
        }
        catch (MoatException e)
        {
            _audit.Authenticated(null, null, route.Method, endpointId, e.Reason);
            throw;
        }

        if (!PublicRoutes.Satisfies(caller.Role, route.RequiredRole))
        {
            _audit.Authenticated(caller.Org, caller.KeyId, route.Method, endpointId, ErrorReason.RoleNotAllowed);
            throw new MoatException(StatusCode.PermissionDenied, ErrorReason.RoleNotAllowed, $"a {caller.Role} key may not call {route.Method}; it needs {route.RequiredRole}");
        }

        _audit.Authenticated(caller.Org, caller.KeyId, route.Method, endpointId, ErrorReason.Unspecified);

        context.Request.EnableBuffering(bufferThreshold: 1024 * 1024, bufferLimit: _options.MaxRequestBytes + 5);
        var (status, ns, message) = await GrpcRequestReader.ReadAsync(context.Request.Body, _options.MaxRequestBytes, context.RequestAborted);
        context.Request.Body.Position = 0;
        switch (status)
        {
            case GrpcRequestReader.Status.TooLarge:
                throw new MoatException(StatusCode.ResourceExhausted, ErrorReason.RequestTooLarge, $"the request is larger than {_options.MaxRequestBytes} bytes");
            case GrpcRequestReader.Status.Compressed:
                throw new MoatException(StatusCode.Unimplemented, ErrorReason.InvalidArgument, "compressed requests are not accepted; send grpc-encoding identity");
            case GrpcRequestReader.Status.Malformed:
                throw new MoatException(StatusCode.InvalidArgument, ErrorReason.InvalidArgument, "the request message is malformed");
        }

        if (!route.HasNamespace)
        {
            ns = string.Empty;
        }

        if (ns.Length > 0 && !ns.StartsWith(caller.NamespacePrefix, StringComparison.Ordinal))
        {
            throw new MoatException(StatusCode.PermissionDenied, ErrorReason.NamespaceOutOfScope, "the API key is scoped to other namespaces");
        }

        if (route.Method == CreateNamespaceMethod)
        {
            // Answered here: creation is the gateway's routine (see CreateNamespaceHandler).
            var created = await _createNamespace.CreateAsync(caller, endpointId, Parse(CreateNamespaceRequest.Parser, message), context.RequestAborted);
            await GrpcResponseWriter.WriteAsync(context, created);
            return;
        }

        if (route.Method == DeleteNamespaceMethod)
        {
            // The name is about to map to nothing (then, reused, to a new id): never serve the old id from the cache.
            _namespaces.Forget(caller.Org, ns);
        }

        // The gateway forwards only to its own region (DESIGN section 7): a namespace homed elsewhere
        // is answered with where to go. A namespace not created yet has no id; a first write that
        // carries create_config creates it here first (the creation routine), one without is
        // forwarded with no id and answered NAMESPACE_NOT_FOUND by the write service.
        var located = ns.Length > 0 ? await _namespaces.ResolveAsync(caller.Org, ns, context.RequestAborted) : null;
        if (located is not null && located.HomeRegion != _moat.Region)
        {
            throw new MoatException(StatusCode.FailedPrecondition, ErrorReason.WrongRegion, $"the namespace lives in region {located.HomeRegion}",
                new Dictionary<string, string> { ["home_region"] = located.HomeRegion, ["home_endpoint"] = located.HomeEndpoint });
        }

        var namespaceCreated = false;
        if (located is null && route.Method == WriteMethod && GrpcRequestReader.HasField(message, WriteRequest.CreateConfigFieldNumber))
        {
            var write = Parse(WriteRequest.Parser, message);
            var created = await _creator.CreateAsync(caller, endpointId, ns, write.CreateConfig, "create_config", context.RequestAborted);
            located = new ResolvedNamespace(created.NamespaceId, created.HomeRegion, string.Empty);
            namespaceCreated = created.Created;
        }

        var now = _time.GetUtcNow();
        var token = new PrincipalToken
        {
            Kind = PrincipalKind.ApiKey,
            Org = caller.Org,
            ApiKeyId = caller.KeyId,
            Role = caller.Role,
            NamespaceScope = caller.NamespacePrefix,
            EndpointId = endpointId,
            Method = route.Method,
            Namespace = ns,
            NamespaceId = located?.NamespaceId ?? string.Empty,
            Region = _moat.Region,
            NamespaceCreated = namespaceCreated,
            Audience = route.Upstream,
            IssuedAtUnixMs = now.ToUnixTimeMilliseconds(),
            ExpiresAtUnixMs = (now + _options.PrincipalLifetime).ToUnixTimeMilliseconds(),
        };

        var (invoker, address) = _upstreams.For(route.Upstream);
        var error = await _forwarder.SendAsync(context, address, invoker, RequestConfig, new PrincipalTransformer(_signer.Sign(token)));
        if (route.Method == DeleteNamespaceMethod)
        {
            _namespaces.Forget(caller.Org, ns);
        }

        if (error != ForwarderError.None)
        {
            LogUpstreamFailed(_logger, route.Upstream, error);
            if (!context.Response.HasStarted)
            {
                // YARP set a 502; a gRPC client needs a gRPC status instead.
                context.Response.Clear();
                await GrpcErrorWriter.WriteAsync(context, StatusCode.Unavailable, ErrorReason.UpstreamUnavailable, $"the {route.Upstream} service is unavailable; retry later");
            }
        }
    }

    private static T Parse<T>(Google.Protobuf.MessageParser<T> parser, byte[] message)
        where T : Google.Protobuf.IMessage<T>
    {
        try
        {
            return parser.ParseFrom(message);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            throw new MoatException(StatusCode.InvalidArgument, ErrorReason.InvalidArgument, "the request message is malformed");
        }
    }

    private const string WriteMethod = "/moat.v1.WriteService/Write";
    private const string DeleteNamespaceMethod = "/moat.v1.WriteService/DeleteNamespace";
    private const string CreateNamespaceMethod = "/moat.v1.RegionService/CreateNamespace";

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Refused {Path}: {Status} {Reason}")]
    private static partial void LogRefused(ILogger logger, string path, StatusCode status, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Forwarding to {Upstream} failed: {Error}")]
    private static partial void LogUpstreamFailed(ILogger logger, string upstream, ForwarderError error);
}
