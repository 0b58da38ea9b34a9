using System.Diagnostics;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Moat.Testing;

/// <summary>Waits (bounded) until a service process started by a test answers health; a hung start is a failed test.</summary>
public static class ServiceWait
{
    public static async Task UntilServingAsync(GrpcChannel channel, Process process, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the service process exited with code {process.ExitCode} before serving");
            }

            try
            {
                var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (RpcException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException("the service did not come up in time");
            }

            await Task.Delay(200);
        }
    }
}
