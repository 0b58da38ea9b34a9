namespace Moat.Bench.Audit;

/// <summary>What one simulated state-changing operation does besides its audit record.</summary>
internal enum Workload
{
    /// <summary>CPU only: SHA-256 over 4 KiB, 4 times (~10 µs): the harshest case for the audit's share.</summary>
    Cpu,

    /// <summary>The operation's own durable write (a 256-byte put, fsynced, to the same store) plus the CPU work.</summary>
    DurableWrite,
}
