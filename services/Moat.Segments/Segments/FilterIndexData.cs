using System.Runtime.InteropServices;
using Moat.V1;

namespace Moat.Segments.Segments;

/// <summary>
/// Filter index of one attribute: the distinct non-null element values sorted ascending (numbers
/// numerically, strings by UTF-8 bytes, UUIDs by bytes, false &lt; true), each with its posting list
/// of row ids ascending. Header u8 element kind, 3 zero bytes, u32 distinct values, u64 postings,
/// u64 UTF-8 bytes; the values (<see cref="ValueBlock"/>); (distinct + 1) u32 posting offsets; the
/// postings (u32 rows). Equality = binary search; ranges = a slice of values whose postings are
/// unioned; list attributes index every element (a row appears once per distinct element).
/// </summary>
public sealed class FilterIndexData
{
    private readonly ReadOnlyMemory<byte> postingOffsets;
    private readonly ReadOnlyMemory<byte> postings;

    private FilterIndexData(ValueBlock values, ReadOnlyMemory<byte> postingOffsets, ReadOnlyMemory<byte> postings)
    {
        Values = values;
        this.postingOffsets = postingOffsets;
        this.postings = postings;
    }

    public ElementKind Kind => Values.Kind;

    /// <summary>Distinct values, sorted.</summary>
    public ValueBlock Values { get; }

    public int DistinctCount => Values.Count;

    internal ReadOnlyMemory<byte> PostingOffsetsMemory => postingOffsets;

    internal ReadOnlyMemory<byte> PostingsMemory => postings;

    /// <summary>Rows holding value <paramref name="valueIndex"/>, ascending.</summary>
    public ReadOnlySpan<uint> Rows(int valueIndex)
    {
        var o = MemoryMarshal.Cast<byte, uint>(postingOffsets.Span);
        var all = MemoryMarshal.Cast<byte, uint>(postings.Span);
        return all[(int)o[valueIndex]..(int)o[valueIndex + 1]];
    }

    /// <summary>The value at <paramref name="valueIndex"/> as a scalar AttributeValue.</summary>
    public AttributeValue GetValue(int valueIndex) => Elements.ToValue(Kind, Values.Key(valueIndex));

    /// <summary>
    /// First value index whose value is &gt;= <paramref name="scalar"/> (DistinctCount when none); with
    /// <paramref name="found"/> true when it is equal. The scalar must be of this index's kind.
    /// </summary>
    public int LowerBound(AttributeValue scalar, out bool found)
    {
        ArgumentNullException.ThrowIfNull(scalar);
        var probe = new List<ElementKey>(1);
        Elements.Collect(scalar, probe);
        var key = probe[0];
        int lo = 0, hi = DistinctCount;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (Elements.Compare(Kind, Values.Key(mid), key) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        found = lo < DistinctCount && Elements.Compare(Kind, Values.Key(lo), key) == 0;
        return lo;
    }

    public static FilterIndexData Parse(ReadOnlyMemory<byte> section)
    {
        var c = new BlockCursor(section);
        var kind = (ElementKind)c.U8();
        c.U8();
        c.U16();
        var distinct = c.U32();
        var postingCount = c.U64();
        var stringBytes = c.U64();
        if (kind is < ElementKind.Bool or > ElementKind.String)
        {
            throw new SegmentFormatException($"Unknown element kind {(int)kind} in a filter index.");
        }

        var values = ValueBlock.Read(ref c, kind, distinct, stringBytes);
        var offsets = c.Block(((ulong)distinct + 1) * 4);
        var postings = c.Block(postingCount * 4);
        return new FilterIndexData(values, offsets, postings);
    }

    internal static void Write(BlockWriter w, AttributeType type, IReadOnlyList<AttributeValue?> rows)
    {
        var kind = Elements.Shape(type).Kind;
        var pairs = new List<(ElementKey Key, uint Row)>();
        var tmp = new List<ElementKey>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i] is { } v)
            {
                tmp.Clear();
                Elements.Collect(v, tmp);
                foreach (var k in tmp)
                {
                    pairs.Add((k, (uint)i));
                }
            }
        }

        pairs.Sort((a, b) =>
        {
            var c = Elements.Compare(kind, a.Key, b.Key);
            return c != 0 ? c : a.Row.CompareTo(b.Row);
        });

        var values = new List<ElementKey>();
        var offsets = new List<uint> { 0 };
        var postings = new List<uint>(pairs.Count);
        for (var i = 0; i < pairs.Count; i++)
        {
            var newValue = i == 0 || Elements.Compare(kind, pairs[i - 1].Key, pairs[i].Key) != 0;
            if (newValue)
            {
                if (i > 0)
                {
                    offsets.Add((uint)postings.Count);
                }

                values.Add(pairs[i].Key);
            }
            else if (pairs[i - 1].Row == pairs[i].Row)
            {
                continue;
            }

            postings.Add(pairs[i].Row);
        }

        if (values.Count > 0)
        {
            offsets.Add((uint)postings.Count);
        }

        w.U8((byte)kind);
        w.U8(0);
        w.U16(0);
        w.U32((uint)values.Count);
        w.U64((ulong)postings.Count);
        w.U64(ValueBlock.StringBytes(kind, values));
        ValueBlock.Write(w, kind, values);
        w.Block<uint>(CollectionsMarshal.AsSpan(offsets));
        w.Block<uint>(CollectionsMarshal.AsSpan(postings));
    }
}
