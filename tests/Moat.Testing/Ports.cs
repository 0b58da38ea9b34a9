using System.Net;
using System.Net.Sockets;

namespace Moat.Testing;

/// <summary>
/// Free loopback ports for tests that start real listeners. They are taken below the kernel's
/// ephemeral range: a port there can be handed to some outgoing connection between the check and
/// the listener's bind ("address already in use").
/// </summary>
public static class Ports
{
    private const int Low = 10000;
    private static readonly int High = EphemeralLow() - 1;
    private static int _next = Low + (Environment.ProcessId % 100) * 100;

    /// <summary>A base port such that base..base+count-1 are all free now.</summary>
    public static int FreeRange(int count)
    {
        while (true)
        {
            var start = Interlocked.Add(ref _next, count + 1) - count - 1;
            if (start + count > High)
            {
                Interlocked.Exchange(ref _next, Low);
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

    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return Math.Max(Low + 5000, int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768; // Linux's default lower bound
        }
    }
}
