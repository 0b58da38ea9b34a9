using System.Buffers;
using System.Numerics.Tensors;
using Moat.Search.Text;
using Moat.Search.Vectors;

namespace Moat.Search;

/// <summary>
/// BM25 ranking: each leaf scores one attribute with snapshot-wide statistics (live rows only),
/// idf = ln(1 + (N − df + 0.5) / (df + 0.5)), tf·(k1 + 1) / (tf + k1·(1 − b + b·dl / avgdl)), the
/// query's distinct tokens summed; Sum / Max / weight combine leaves row by row.
/// </summary>
internal sealed partial class QueryExecution
{
    private void RankByText(TextRanking t, FilterEvaluator filters)
    {
        var leaves = new Dictionary<Bm25Expr, Bm25Leaf>(ReferenceEqualityComparer.Instance);
        PrepareText(t.Expr, "rank_by.text", leaves);
        var k = query.TopK;
        var heap = new NeighborHeap(k);
        var found = new Neighbor[k];
        for (var s = 0; s < Segments.Count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = Segments[s].RowCount;
            if (rows == 0)
            {
                continue;
            }

            using var match = filters.Evaluate(s);
            matched += match.PopCount();
            var scores = Score(t.Expr, s, rows, leaves);
            if (scores is null)
            {
                continue;
            }

            try
            {
                heap.Clear();
                for (var row = match.NextSet(0); row >= 0; row = match.NextSet(row + 1))
                {
                    if (scores[row] > 0)
                    {
                        heap.Push(row, (float)-scores[row]);
                    }
                }

                var n = heap.Drain(found);
                for (var i = 0; i < n; i++)
                {
                    candidates.Add(new Candidate(s, found[i].Row, scores[found[i].Row]));
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(scores);
            }
        }

        candidates.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : CompareIds(a, b));
    }

    private void PrepareText(TextRankExpr expr, string path, Dictionary<Bm25Expr, Bm25Leaf> leaves)
    {
        switch (expr)
        {
            case Bm25Expr b:
                {
                    TextIndex? newest = null;
                    for (var s = Segments.Count - 1; s >= 0 && newest is null; s--)
                    {
                        newest = Segments[s].Attribute(b.Attribute)?.TextIndex;
                    }

                    if (newest is null)
                    {
                        throw new SearchQueryException(path + ".bm25.attribute", $"Attribute '{b.Attribute}' is not full-text indexed.");
                    }

                    // The newest segment's analysis tokenizes the query (the same analysis built its index).
                    var tokens = newest.Analyzer.Tokenize(b.Query ?? string.Empty).Distinct(StringComparer.Ordinal).ToArray();
                    var stats = snapshot.TextStatistics(b.Attribute);
                    var idf = new double[tokens.Length];
                    for (var i = 0; i < tokens.Length; i++)
                    {
                        var df = DocumentFrequency(b.Attribute, tokens[i]);
                        idf[i] = df == 0 ? 0 : Math.Log(1 + ((stats.Documents - df + 0.5) / (df + 0.5)));
                    }

                    leaves[b] = new Bm25Leaf(b.Attribute, tokens, idf, stats.AverageLength);
                    break;
                }

            case SumExpr sum:
                RequireTerms(sum.Terms, path + ".sum");
                for (var i = 0; i < sum.Terms.Count; i++)
                {
                    PrepareText(sum.Terms[i], $"{path}.sum.terms[{i}]", leaves);
                }

                break;
            case MaxExpr max:
                RequireTerms(max.Terms, path + ".max");
                for (var i = 0; i < max.Terms.Count; i++)
                {
                    PrepareText(max.Terms[i], $"{path}.max.terms[{i}]", leaves);
                }

                break;
            case WeightedExpr w:
                if (!double.IsFinite(w.Weight) || w.Weight <= 0)
                {
                    throw new SearchQueryException(path + ".product.weight", $"A weight must be a finite number above 0; got {w.Weight}.");
                }

                PrepareText(w.Term ?? throw new SearchQueryException(path + ".product.term", "A weighted term needs an expression."), path + ".product.term", leaves);
                break;
            default:
                throw new SearchQueryException(path, "Empty text-rank expression.");
        }
    }

    private static void RequireTerms(IReadOnlyList<TextRankExpr> terms, string path)
    {
        if (terms is null || terms.Count == 0)
        {
            throw new SearchQueryException(path + ".terms", "Sum and Max need at least one expression.");
        }
    }

    /// <summary>Live rows containing the term, over every segment.</summary>
    private long DocumentFrequency(string attribute, string term)
    {
        long df = 0;
        for (var s = 0; s < Segments.Count; s++)
        {
            if (Segments[s].Attribute(attribute)?.TextIndex is not { } index)
            {
                continue;
            }

            var t = index.FindTerm(term);
            if (t < 0)
            {
                continue;
            }

            var live = snapshot.Live(s);
            foreach (var row in index.PostingRows(t))
            {
                if (live[(int)row])
                {
                    df++;
                }
            }
        }

        return df;
    }

    /// <summary>Scores of every row of segment s (a rented array of at least rows), or null when nothing scores.</summary>
    private double[]? Score(TextRankExpr expr, int s, int rows, Dictionary<Bm25Expr, Bm25Leaf> leaves)
    {
        switch (expr)
        {
            case Bm25Expr b:
                return leaves[b].Score(Segments[s], rows);
            case WeightedExpr w:
                {
                    var x = Score(w.Term, s, rows, leaves);
                    if (x is not null)
                    {
                        TensorPrimitives.Multiply(x.AsSpan(0, rows), w.Weight, x.AsSpan(0, rows));
                    }

                    return x;
                }

            default:
                {
                    var terms = expr is SumExpr sum ? sum.Terms : ((MaxExpr)expr).Terms;
                    double[]? acc = null;
                    foreach (var term in terms)
                    {
                        var x = Score(term, s, rows, leaves);
                        if (x is null)
                        {
                            continue;
                        }

                        if (acc is null)
                        {
                            acc = x;
                            continue;
                        }

                        if (expr is SumExpr)
                        {
                            TensorPrimitives.Add(acc.AsSpan(0, rows), x.AsSpan(0, rows), acc.AsSpan(0, rows));
                        }
                        else
                        {
                            TensorPrimitives.Max(acc.AsSpan(0, rows), x.AsSpan(0, rows), acc.AsSpan(0, rows));
                        }

                        ArrayPool<double>.Shared.Return(x);
                    }

                    return acc;
                }
        }
    }

    /// <summary>One BM25 leaf, prepared: distinct query tokens with their snapshot-wide idf.</summary>
    private sealed record Bm25Leaf(string Attribute, string[] Tokens, double[] Idf, double AverageLength)
    {
        public double[]? Score(SearchSegment segment, int rows)
        {
            if (segment.Attribute(Attribute)?.TextIndex is not { } index || Tokens.Length == 0)
            {
                return null;
            }

            var scores = ArrayPool<double>.Shared.Rent(rows);
            Array.Clear(scores, 0, rows);
            var options = index.Options;
            var k1 = options.K1;
            var b = options.B;
            var lengths = index.DocumentLengths;
            var avg = AverageLength > 0 ? AverageLength : 1;
            for (var i = 0; i < Tokens.Length; i++)
            {
                var t = index.FindTerm(Tokens[i]);
                if (t < 0 || Idf[i] == 0)
                {
                    continue;
                }

                var postingRows = index.PostingRows(t);
                var freqs = index.PostingFrequencies(t);
                for (var p = 0; p < postingRows.Length; p++)
                {
                    var row = (int)postingRows[p];
                    double tf = freqs[p];
                    scores[row] += Idf[i] * tf * (k1 + 1) / (tf + (k1 * (1 - b + (b * lengths[row] / avg))));
                }
            }

            return scores;
        }
    }
}
