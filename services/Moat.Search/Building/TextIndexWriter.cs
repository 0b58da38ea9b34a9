using Moat.Search.Text;

namespace Moat.Search;

/// <summary>
/// Builds an inverted index in memory with the field's analysis: positions count tokens from 0,
/// and between the elements of a list the position skips one, so a phrase never spans elements
/// (as the segment format does).
/// </summary>
internal static class TextIndexWriter
{
    public static TextIndex Build(TextFieldOptions options, IReadOnlyList<IReadOnlyList<string>?> rows)
    {
        var analyzer = new TextAnalyzer(options);
        var terms = new Dictionary<string, (List<uint> Rows, List<uint> Freqs, List<List<uint>> Positions)>(StringComparer.Ordinal);
        var lengths = new uint[rows.Count];
        var tokens = new List<string>();
        var rowTerms = new Dictionary<string, List<uint>>(StringComparer.Ordinal);
        ulong total = 0;
        for (var row = 0; row < rows.Count; row++)
        {
            if (rows[row] is not { } texts)
            {
                continue;
            }

            rowTerms.Clear();
            uint position = 0;
            uint count = 0;
            for (var e = 0; e < texts.Count; e++)
            {
                if (e > 0)
                {
                    position++;
                }

                tokens.Clear();
                analyzer.Tokenize(texts[e], tokens);
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
            foreach (var (term, positions) in rowTerms)
            {
                if (!terms.TryGetValue(term, out var p))
                {
                    terms[term] = p = ([], [], []);
                }

                p.Rows.Add((uint)row);
                p.Freqs.Add((uint)positions.Count);
                p.Positions.Add([.. positions]);
            }
        }

        var sorted = terms.Keys.ToList();
        sorted.Sort(Utf8Compare.Compare);
        var termStarts = new List<uint> { 0 };
        var prow = new List<uint>();
        var pfreq = new List<uint>();
        var pstart = new List<uint> { 0 };
        var pos = new List<uint>();
        foreach (var t in sorted)
        {
            var p = terms[t];
            for (var i = 0; i < p.Rows.Count; i++)
            {
                prow.Add(p.Rows[i]);
                pfreq.Add(p.Freqs[i]);
                pos.AddRange(p.Positions[i]);
                pstart.Add((uint)pos.Count);
            }

            termStarts.Add((uint)prow.Count);
        }

        return new TextIndex(
            options,
            rows.Count,
            total,
            ElementBlockWriter.Write(ValueKind.String, sorted.ConvertAll(ScalarValue.String)),
            ElementBlockWriter.U32(lengths),
            ElementBlockWriter.U32(termStarts),
            ElementBlockWriter.U32(prow),
            ElementBlockWriter.U32(pfreq),
            ElementBlockWriter.U32(pstart),
            ElementBlockWriter.U32(pos));
    }
}
