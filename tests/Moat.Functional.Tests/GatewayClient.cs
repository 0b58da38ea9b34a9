using Grpc.Core;
using Grpc.Net.Client;

namespace Moat.Functional.Tests;

/// <summary>A customer's view of the gateway: TLS trusting the profile's CA, an API key per call.</summary>
public static class GatewayClient
{
    public static GrpcChannel Channel(DevStackFixture stack, StackPki pki) =>
        MtlsClient.Channel(stack.GatewayEndpoint, pki.Root, clientCertificate: null);

    public static Metadata Key(string? apiKey, params (string Name, string Value)[] extra)
    {
        var metadata = new Metadata();
        if (apiKey is not null)
        {
            metadata.Add("authorization", "Bearer " + apiKey);
        }

        foreach (var (name, value) in extra)
        {
            metadata.Add(name, value);
        }

        return metadata;
    }

    public static DateTime Deadline => DateTime.UtcNow.AddSeconds(15);
}
