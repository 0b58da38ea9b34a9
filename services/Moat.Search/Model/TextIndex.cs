using System.Runtime.InteropServices;
using System.Text;
using Moat.Search.Text;

namespace Moat.Search;

/// <summary>
/// Inverted index of one full-text attribute (the segment format's FULL_TEXT section): per row its
/// token count; the term dictionary sorted by UTF-8 bytes; per term its postings (rows ascending,
/// term frequencies) and per posting the token positions. <see cref="Analyzer"/> is the analysis
/// it was built with, applied to query strings too.
/// </summary>
public sealed class TextIndex
{
    public TextIndex(
        TextFieldOptions options,
        int rowCount,
        ulong totalTokens,
        ElementBlock terms,
        ReadOnlyMemory<byte> documentLengths,
        ReadOnlyMemory<byte> termPostingStarts,
        ReadOnlyMemory<byte> postingRows,
        ReadOnlyMemory<byte> postingFrequencies,
        ReadOnlyMemory<byte> positionStarts,
        ReadOnlyMemory<byte> positions)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (terms.Kind != ValueKind.String || documentLengths.Length < rowCount * 4 || termPostingStarts.Length < (terms.Count + 1) * 4)
        {
            throw new ArgumentException("Malformed full-text index parts.", nameof(terms));
        }

        Options = options;
        Analyzer = new TextAnalyzer(options);
        RowCount = rowCount;
        TotalTokens = totalTokens;
        Terms = terms;
        DocumentLengthBytes = documentLengths;
        TermPostingStartBytes = termPostingStarts;
        PostingRowBytes = postingRows;
        PostingFrequencyBytes = postingFrequencies;
        PositionStartBytes = positionStarts;
        PositionBytes = positions;
    }

    public TextFieldOptions Options { get; }

    public TextAnalyzer Analyzer { get; }

    public int RowCount { get; }

    public ulong TotalTokens { get; }

    public ElementBlock Terms { get; }

    public int TermCount => Terms.Count;

    public ReadOnlyMemory<byte> DocumentLengthBytes { get; }

    public ReadOnlyMemory<byte> TermPostingStartBytes { get; }

    public ReadOnlyMemory<byte> PostingRowBytes { get; }

    public ReadOnlyMemory<byte> PostingFrequencyBytes { get; }

    public ReadOnlyMemory<byte> PositionStartBytes { get; }

    public ReadOnlyMemory<byte> PositionBytes { get; }

    public ReadOnlySpan<uint> DocumentLengths => MemoryMarshal.Cast<byte, uint>(DocumentLengthBytes.Span);

    /// <summary>Index of a term, or -1.</summary>
    public int FindTerm(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var max = Encoding.UTF8.GetMaxByteCount(term.Length);
        Span<byte> buf = max <= 256 ? stackalloc byte[max] : new byte[max];
        var n = Encoding.UTF8.GetBytes(term, buf);
        return FindTerm(buf[..n]);
    }

    public int FindTerm(ReadOnlySpan<byte> utf8)
    {
        int lo = 0, hi = TermCount - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = Terms.Utf8(mid).SequenceCompareTo(utf8);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    /// <summary>Global posting range of a term.</summary>
    public (int Start, int Count) PostingRange(int term)
    {
        var s = MemoryMarshal.Cast<byte, uint>(TermPostingStartBytes.Span);
        return ((int)s[term], (int)(s[term + 1] - s[term]));
    }

    /// <summary>Rows containing the term, ascending.</summary>
    public ReadOnlySpan<uint> PostingRows(int term)
    {
        var (start, count) = PostingRange(term);
        return MemoryMarshal.Cast<byte, uint>(PostingRowBytes.Span).Slice(start, count);
    }

    /// <summary>Term frequency per posting of the term.</summary>
    public ReadOnlySpan<uint> PostingFrequencies(int term)
    {
        var (start, count) = PostingRange(term);
        return MemoryMarshal.Cast<byte, uint>(PostingFrequencyBytes.Span).Slice(start, count);
    }

    /// <summary>Token positions of the term in its <paramref name="nth"/> posting.</summary>
    public ReadOnlySpan<uint> Positions(int term, int nth)
    {
        var posting = PostingRange(term).Start + nth;
        var s = MemoryMarshal.Cast<byte, uint>(PositionStartBytes.Span);
        return MemoryMarshal.Cast<byte, uint>(PositionBytes.Span)[(int)s[posting]..(int)s[posting + 1]];
    }
}
