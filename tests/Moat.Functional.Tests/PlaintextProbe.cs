using System.Net.Sockets;

namespace Moat.Functional.Tests;

/// <summary>Proves a port speaks no plaintext HTTP/2 (h2c with prior knowledge).</summary>
public static class PlaintextProbe
{
    public static async Task AssertRefusedAsync(int port)
    {
        // 1. A real HTTP/2 client with prior knowledge over plain TCP gets no response.
        using (var client = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new UriBuilder("http", "127.0.0.1", port, "/grpc.health.v1.Health/Check").Uri)
            {
                Version = System.Net.HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            await Assert.ThrowsAnyAsync<Exception>(() => client.SendAsync(request));
        }

        // 2. The raw preface: whatever comes back is not an HTTP/2 SETTINGS frame.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        var preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
        byte[] settings = [0, 0, 0, 4, 0, 0, 0, 0, 0];
        await stream.WriteAsync(preface.Concat(settings).ToArray());
        var buffer = new byte[64];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int read;
        try
        {
            read = await stream.ReadAsync(buffer, cts.Token);
        }
        catch (IOException)
        {
            read = 0;
        }

        var isSettingsFrame = read >= 9 && buffer[3] == 0x4;
        Assert.False(isSettingsFrame, $"port {port} answered a plaintext HTTP/2 preface with a SETTINGS frame");
    }
}
