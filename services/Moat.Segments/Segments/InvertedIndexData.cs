using System.Runtime.InteropServices;
using System.Text;
using Moat.Search.Text;
using Moat.V1;

namespace Moat.Segments.Segments;

/// <summary>
/// Inverted index of one full-text attribute, with positions. Header u32 rows, u32 terms, u64
/// postings, u64 positions, u64 term UTF-8 bytes, u64 total tokens; then u32 token count per row
/// (the BM25 document length); the term dictionary sorted by UTF-8 bytes ((terms + 1) u32 offsets +
/// bytes); (terms + 1) u32 posting starts per term; per posting u32 row (ascending within a term),
/// u32 term frequency, and (postings + 1) u32 position starts; the u32 token positions (ascending
/// within a posting). Positions count tokens from 0; list elements are separated by a gap of one
/// position so phrases never span two elements.
/// </summary>
public sealed class InvertedIndexData
{
    private readonly ReadOnlyMemory<byte> docLengths;
    private readonly ReadOnlyMemory<byte> termPostingStarts;
    private readonly ReadOnlyMemory<byte> postingRows;
    private readonly ReadOnlyMemory<byte> postingFreqs;
    private readonly ReadOnlyMemory<byte> positionStarts;
    private readonly ReadOnlyMemory<byte> positions;

    private InvertedIndexData(int rows, ulong totalTokens, ValueBlock terms, ReadOnlyMemory<byte> docLengths, ReadOnlyMemory<byte> termPostingStarts, ReadOnlyMemory<byte> postingRows, ReadOnlyMemory<byte> postingFreqs, ReadOnlyMemory<byte> positionStarts, ReadOnlyMemory<byte> positions)
    {
        RowCount = rows;
        TotalTokens = totalTokens;
        Terms = terms;
        this.docLengths = docLengths;
        this.termPostingStarts = termPostingStarts;
        this.postingRows = postingRows;
        this.postingFreqs = postingFreqs;
        this.positionStarts = positionStarts;
        this.positions = positions;
    }

    public int RowCount { get; }

    /// <summary>Sum of the document lengths (for the BM25 average).</summary>
    public ulong TotalTokens { get; }

    public double AverageDocumentLength => RowCount == 0 ? 0 : (double)TotalTokens / RowCount;

    /// <summary>Sorted term dictionary (strings).</summary>
    public ValueBlock Terms { get; }

    public int TermCount => Terms.Count;

    internal ReadOnlyMemory<byte> DocumentLengthsMemory => docLengths;

    internal ReadOnlyMemory<byte> TermPostingStartsMemory => termPostingStarts;

    internal ReadOnlyMemory<byte> PostingRowsMemory => postingRows;

    internal ReadOnlyMemory<byte> PostingFrequenciesMemory => postingFreqs;

    internal ReadOnlyMemory<byte> PositionStartsMemory => positionStarts;

    internal ReadOnlyMemory<byte> PositionsMemory => positions;

    /// <summary>Tokens per row.</summary>
    public ReadOnlySpan<uint> DocumentLengths => MemoryMarshal.Cast<byte, uint>(docLengths.Span);

    /// <summary>Index of a term by binary search over its UTF-8 bytes, or -1.</summary>
    public int FindTerm(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var needle = Encoding.UTF8.GetBytes(term);
        int lo = 0, hi = TermCount - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = Terms.Utf8(mid).SequenceCompareTo(needle);
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

    /// <summary>Global posting index range of a term.</summary>
    public (int Start, int Count) PostingRange(int termIndex)
    {
        var s = MemoryMarshal.Cast<byte, uint>(termPostingStarts.Span);
        return ((int)s[termIndex], (int)(s[termIndex + 1] - s[termIndex]));
    }

    /// <summary>Rows containing the term, ascending (document frequency = length).</summary>
    public ReadOnlySpan<uint> PostingRows(int termIndex)
    {
        var (start, count) = PostingRange(termIndex);
        return MemoryMarshal.Cast<byte, uint>(postingRows.Span).Slice(start, count);
    }

    /// <summary>Term frequency per posting row of the term.</summary>
    public ReadOnlySpan<uint> PostingFrequencies(int termIndex)
    {
        var (start, count) = PostingRange(termIndex);
        return MemoryMarshal.Cast<byte, uint>(postingFreqs.Span).Slice(start, count);
    }

    /// <summary>Positions of the term in the <paramref name="nth"/> row of its postings.</summary>
    public ReadOnlySpan<uint> Positions(int termIndex, int nth)
    {
        var posting = PostingRange(termIndex).Start + nth;
        var s = MemoryMarshal.Cast<byte, uint>(positionStarts.Span);
        return MemoryMarshal.Cast<byte, uint>(positions.Span)[(int)s[posting]..(int)s[posting + 1]];
    }

    public static InvertedIndexData Parse(ReadOnlyMemory<byte> section)
    {
        var c = new BlockCursor(section);
        var rows = c.U32();
        var terms = c.U32();
        var postingCount = c.U64();
        var positionCount = c.U64();
        var termBytes = c.U64();
        var total = c.U64();
        if (rows > int.MaxValue)
        {
            throw new SegmentFormatException("Malformed full-text index header.");
        }

        var lengths = c.Block((ulong)rows * 4);
        var dict = ValueBlock.Read(ref c, ElementKind.String, terms, termBytes);
        var termStarts = c.Block(((ulong)terms + 1) * 4);
        var prow = c.Block(postingCount * 4);
        var pfreq = c.Block(postingCount * 4);
        var pstart = c.Block((postingCount + 1) * 4);
        var pos = c.Block(positionCount * 4);
        return new InvertedIndexData((int)rows, total, dict, lengths, termStarts, prow, pfreq, pstart, pos);
    }

    internal static void Write(BlockWriter w, ITokenizer tokenizer, IReadOnlyList<AttributeValue?> rows)
    {
        var terms = new Dictionary<string, TermPostings>(StringComparer.Ordinal);
        var lengths = new uint[rows.Count];
        var tokens = new List<string>();
        var rowTerms = new Dictionary<string, List<uint>>(StringComparer.Ordinal);
        ulong total = 0;
        for (var row = 0; row < rows.Count; row++)
        {
            var v = rows[row];
            if (v is null)
            {
                continue;
            }

            rowTerms.Clear();
            uint position = 0;
            uint count = 0;
            IEnumerable<string> texts = v.ValueCase == AttributeValue.ValueOneofCase.StringList ? v.StringList.Values : [v.StringValue];
            var first = true;
            foreach (var text in texts)
            {
                if (!first)
                {
                    position++;
                }

                first = false;
                tokens.Clear();
                tokenizer.Tokenize(text, tokens);
                foreach (var t in tokens)
                {
                    if (!rowTerms.TryGetValue(t, out var list))
                    {
                        rowTerms[t] = list = [];
                    }

                    list.Add(position++);
                    count++;
                }
            }

            lengths[row] = count;
            total += count;
            foreach (var (term, posList) in rowTerms)
            {
                if (!terms.TryGetValue(term, out var p))
                {
                    terms[term] = p = new TermPostings();
                }

                p.Rows.Add((uint)row);
                p.Freqs.Add((uint)posList.Count);
                p.Positions.AddRange(posList);
                p.PositionEnds.Add(p.Positions.Count);
            }
        }

        var sorted = terms.Keys.ToList();
        sorted.Sort(Utf8Order.Instance);
        var dict = sorted.ConvertAll(t => new ElementKey(0, 0, t));
        var termStarts = new List<uint>(sorted.Count + 1) { 0 };
        var prow = new List<uint>();
        var pfreq = new List<uint>();
        var pstart = new List<uint> { 0 };
        var pos = new List<uint>();
        foreach (var t in sorted)
        {
            var p = terms[t];
            var prev = 0;
            for (var i = 0; i < p.Rows.Count; i++)
            {
                prow.Add(p.Rows[i]);
                pfreq.Add(p.Freqs[i]);
                for (var j = prev; j < p.PositionEnds[i]; j++)
                {
                    pos.Add(p.Positions[j]);
                }

                prev = p.PositionEnds[i];
                pstart.Add((uint)pos.Count);
            }

            termStarts.Add((uint)prow.Count);
        }

        w.U32((uint)rows.Count);
        w.U32((uint)sorted.Count);
        w.U64((ulong)prow.Count);
        w.U64((ulong)pos.Count);
        w.U64(ValueBlock.StringBytes(ElementKind.String, dict));
        w.U64(total);
        w.Block<uint>(lengths);
        ValueBlock.Write(w, ElementKind.String, dict);
        w.Block<uint>(CollectionsMarshal.AsSpan(termStarts));
        w.Block<uint>(CollectionsMarshal.AsSpan(prow));
        w.Block<uint>(CollectionsMarshal.AsSpan(pfreq));
        w.Block<uint>(CollectionsMarshal.AsSpan(pstart));
        w.Block<uint>(CollectionsMarshal.AsSpan(pos));
    }

    private sealed class TermPostings
    {
        public List<uint> Rows { get; } = [];

        public List<uint> Freqs { get; } = [];

        public List<uint> Positions { get; } = [];

        public List<int> PositionEnds { get; } = [];
    }
}
