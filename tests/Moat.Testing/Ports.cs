using System.Net;
using System.Net.Sockets;

namespace Moat.Testing;

/// <summary>Free loopback ports for tests that start real listeners.</summary>
public static class Ports
{
    private static int _next = 20000 + (Environment.ProcessId % 200) * 100;

    /// <summary>A base port such that base..base+count-1 are all free now.</summary>
    public static int FreeRange(int count)
    {
        while (true)
        {
            var start = Interlocked.Add(ref _next, count + 1) - count - 1;
            if (start + count > 60000)
            {
                Interlocked.Exchange(ref _next, 20000);
                continue;
            }

            if (Enumerable.Range(start, count).All(IsFree))
            {
                return start;
            }
        }
    }

    public static int Free() => FreeRange(1);

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
