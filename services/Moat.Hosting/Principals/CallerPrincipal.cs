using Grpc.Core;
using Moat.Internal.V1;

namespace Moat.Hosting.Principals;

/// <summary>The verified principal of the current call, set by <see cref="PrincipalInterceptor"/>.</summary>
public static class CallerPrincipal
{
    private const string ItemKey = "moat.principal";

    internal static void Set(ServerCallContext context, PrincipalToken token) => context.GetHttpContext().Items[ItemKey] = token;

    /// <summary>The verified principal; a service that acts for a caller never runs without one.</summary>
    public static PrincipalToken Get(ServerCallContext context) =>
        context.GetHttpContext().Items.TryGetValue(ItemKey, out var value) && value is PrincipalToken token
            ? token
            : throw new InvalidOperationException($"{context.Method} has no verified principal: is it in PrincipalInterceptor's scope?");
}
