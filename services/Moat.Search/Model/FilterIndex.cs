using System.Runtime.InteropServices;

namespace Moat.Search;

/// <summary>
/// Value → rows index of one attribute (the segment format's FILTER_INDEX): distinct non-null
/// element values sorted ascending, each with its posting list of rows ascending. List attributes
/// index every element.
/// </summary>
public sealed class FilterIndex
{
    public FilterIndex(ElementBlock values, ReadOnlyMemory<byte> postingOffsets, ReadOnlyMemory<byte> postings)
    {
        if (postingOffsets.Length < (values.Count + 1) * 4)
        {
            throw new ArgumentException("A filter index needs one posting offset per value, plus one.", nameof(postingOffsets));
        }

        Values = values;
        PostingOffsetBytes = postingOffsets;
        PostingBytes = postings;
    }

    public ElementBlock Values { get; }

    public int DistinctCount => Values.Count;

    public ReadOnlyMemory<byte> PostingOffsetBytes { get; }

    public ReadOnlyMemory<byte> PostingBytes { get; }

    public ReadOnlySpan<uint> PostingOffsets => MemoryMarshal.Cast<byte, uint>(PostingOffsetBytes.Span);

    /// <summary>Rows holding value <paramref name="valueIndex"/>, ascending.</summary>
    public ReadOnlySpan<uint> Rows(int valueIndex)
    {
        var o = PostingOffsets;
        return MemoryMarshal.Cast<byte, uint>(PostingBytes.Span)[(int)o[valueIndex]..(int)o[valueIndex + 1]];
    }

    /// <summary>Rows of values [from, to), concatenated (a row may repeat for lists).</summary>
    public ReadOnlySpan<uint> Rows(int from, int to)
    {
        var o = PostingOffsets;
        return MemoryMarshal.Cast<byte, uint>(PostingBytes.Span)[(int)o[from]..(int)o[to]];
    }

    /// <summary>
    /// First value index with value &gt;= operand (or &gt; operand when <paramref name="strict"/>);
    /// DistinctCount when none. The operand must be comparable with the values and not NaN.
    /// </summary>
    public int LowerBound(in ScalarValue operand, bool strict = false)
    {
        int lo = 0, hi = DistinctCount;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            // NaN elements sort first in the dictionary (double.CompareTo); the caller checked the kinds.
            var c = Values.Compare(mid, operand) ?? -1;
            if (c < 0 || (strict && c == 0))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
