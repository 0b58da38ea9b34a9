using System.Runtime.InteropServices;

namespace Moat.Testing;

/// <summary>POSIX signals for tests of graceful stops and crashes.</summary>
public static partial class Signals
{
    public const int Sigterm = 15;
    public const int Sigkill = 9;
    public const int Sigint = 2;
    public const int Sigstop = 19;
    public const int Sigcont = 18;

    public static void Terminate(int pid) => _ = Kill(pid, Sigterm);

    public static void Send(int pid, int signal) => _ = Kill(pid, signal);

    /// <summary>Whether a process with this pid exists (kill with signal 0).</summary>
    public static bool IsAlive(int pid) => Kill(pid, 0) == 0 && !IsZombie(pid);

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat[(stat.LastIndexOf(')') + 2)..];
            return afterName.StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
