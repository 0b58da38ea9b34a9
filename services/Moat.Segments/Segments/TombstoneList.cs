using System.Runtime.InteropServices;

namespace Moat.Segments.Segments;

/// <summary>The tombstones section: an id block (as <see cref="IdColumn"/>) then one u64 delete sequence per id.</summary>
public sealed class TombstoneList
{
    private readonly ReadOnlyMemory<byte> sequences;

    private TombstoneList(IdColumn ids, ReadOnlyMemory<byte> sequences)
    {
        Ids = ids;
        this.sequences = sequences;
    }

    public IdColumn Ids { get; }

    public int Count => Ids.Count;

    public ReadOnlySpan<ulong> Sequences => MemoryMarshal.Cast<byte, ulong>(sequences.Span);

    public static TombstoneList Parse(ReadOnlyMemory<byte> section)
    {
        var c = new BlockCursor(section);
        var ids = IdColumn.Read(ref c);
        return new TombstoneList(ids, c.Block((ulong)ids.Count * 8));
    }
}
