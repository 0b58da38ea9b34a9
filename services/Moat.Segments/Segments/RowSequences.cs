using System.Runtime.InteropServices;

namespace Moat.Segments.Segments;

/// <summary>The row sequences section: u64 row count, then the WAL sequence of each row's last write (u64 each).</summary>
public static class RowSequences
{
    public static ReadOnlyMemory<byte> Parse(ReadOnlyMemory<byte> section)
    {
        var c = new BlockCursor(section);
        var n = c.U64();
        return c.Block(n * 8);
    }

    public static ReadOnlySpan<ulong> AsSpan(ReadOnlyMemory<byte> parsed) => MemoryMarshal.Cast<byte, ulong>(parsed.Span);
}
