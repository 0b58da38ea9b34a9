using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Moat.Search;

/// <summary>
/// Evaluates a filter tree into a row bitmap per segment: filter indexes where the segment has
/// them (binary search, dictionary slices), column scans otherwise, inverted indexes for token
/// operators. Negated operators are the complement of their positive form, so a missing attribute
/// matches NotEq x, NotIn, NotContains, NotContainsAny, NotGlob and NotIGlob.
/// </summary>
internal sealed class FilterEvaluator : IDisposable
{
    private readonly SearchSnapshot snapshot;
    private readonly FilterExpr? filter;
    private readonly CancellationToken cancellationToken;
    private readonly Dictionary<Predicate, PreparedPredicate> prepared = new(ReferenceEqualityComparer.Instance);
    private char[] chars = [];

    public FilterEvaluator(SearchSnapshot snapshot, FilterExpr? filter, CancellationToken cancellationToken)
    {
        this.snapshot = snapshot;
        this.filter = filter;
        this.cancellationToken = cancellationToken;
        if (filter is not null)
        {
            Prepare(filter, "filter");

            // Type checks against every segment up front, so an invalid query fails the same way
            // whatever the data (evaluation may skip branches once a bitmap is empty).
            foreach (var p in prepared.Values)
            {
                foreach (var seg in snapshot.Segments)
                {
                    Check(p, seg);
                }
            }
        }
    }

    /// <summary>Live rows of segment <paramref name="segment"/> that match the filter (rented: dispose it).</summary>
    public RowBitmap Evaluate(int segment)
    {
        var live = snapshot.Live(segment);
        if (filter is null)
        {
            return live.RentCopy();
        }

        var b = Eval(filter, segment);
        b.And(live);
        return b;
    }

    public void Dispose()
    {
        if (chars.Length > 0)
        {
            ArrayPool<char>.Shared.Return(chars);
            chars = [];
        }
    }

    private void Prepare(FilterExpr f, string path)
    {
        switch (f)
        {
            case AndFilter a:
                for (var i = 0; i < a.Filters.Count; i++)
                {
                    Prepare(a.Filters[i], $"{path}.and_filter.filters[{i}]");
                }

                break;
            case OrFilter o:
                for (var i = 0; i < o.Filters.Count; i++)
                {
                    Prepare(o.Filters[i], $"{path}.or_filter.filters[{i}]");
                }

                break;
            case NotFilter n:
                Prepare(n.Filter ?? throw new SearchQueryException(path + ".not_filter", "Not needs a child filter."), path + ".not_filter");
                break;
            case Predicate p:
                prepared[p] = new PreparedPredicate(p, path + ".predicate");
                break;
            default:
                throw new SearchQueryException(path, "Empty filter node.");
        }
    }

    private RowBitmap Eval(FilterExpr f, int s)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var rows = snapshot.Segments[s].RowCount;
        switch (f)
        {
            case AndFilter a:
                {
                    if (a.Filters.Count == 0)
                    {
                        return RowBitmap.Rent(rows, full: true);
                    }

                    var acc = Eval(a.Filters[0], s);
                    for (var i = 1; i < a.Filters.Count && acc.PopCount() > 0; i++)
                    {
                        using var x = Eval(a.Filters[i], s);
                        acc.And(x);
                    }

                    return acc;
                }

            case OrFilter o:
                {
                    var acc = RowBitmap.Rent(rows);
                    foreach (var c in o.Filters)
                    {
                        using var x = Eval(c, s);
                        acc.Or(x);
                    }

                    return acc;
                }

            case NotFilter n:
                {
                    var x = Eval(n.Filter, s);
                    x.Not();
                    return x;
                }

            default:
                return EvalPredicate(prepared[(Predicate)f], s);
        }
    }

    private static (FilterOp Positive, bool Negate) Normalize(FilterOp op) => op switch
    {
        FilterOp.NotEq => (FilterOp.Eq, true),
        FilterOp.NotIn => (FilterOp.In, true),
        FilterOp.NotContains => (FilterOp.Contains, true),
        FilterOp.NotContainsAny => (FilterOp.ContainsAny, true),
        FilterOp.NotGlob => (FilterOp.Glob, true),
        FilterOp.NotIGlob => (FilterOp.IGlob, true),
        _ => (op, false),
    };

    private RowBitmap EvalPredicate(PreparedPredicate p, int s)
    {
        var seg = snapshot.Segments[s];
        var (op, negate) = Normalize(p.Op);
        RowBitmap result;
        if (p.Attribute == "id")
        {
            result = EvalId(p, op, seg);
        }
        else
        {
            var attr = seg.Attribute(p.Attribute);
            if (p.IsNullOperand)
            {
                // Eq null = missing: the complement of the presence bitmap.
                result = attr is null ? RowBitmap.Rent(seg.RowCount, full: true) : RowBitmap.RentFromBytes(attr.Column.Presence.Span, seg.RowCount);
                if (attr is not null)
                {
                    result.Not();
                }
            }
            else if (attr is null)
            {
                result = RowBitmap.Rent(seg.RowCount);
            }
            else
            {
                result = EvalPositive(p, op, attr, seg.RowCount);
            }
        }

        if (negate)
        {
            result.Not();
        }

        return result;
    }

    private static void Check(PreparedPredicate p, SearchSegment seg)
    {
        var (op, _) = Normalize(p.Op);
        if (p.Attribute == "id")
        {
            if (op is not (FilterOp.Eq or FilterOp.In or FilterOp.Lt or FilterOp.Lte or FilterOp.Gt or FilterOp.Gte)
                && !(op is FilterOp.Glob or FilterOp.IGlob or FilterOp.Regex && seg.Ids.Kind == DocIdKind.String))
            {
                throw new SearchQueryException(p.Path + ".op", $"{p.Op} does not apply to the document id.");
            }

            foreach (var e in p.Elements)
            {
                IdOperand(seg.Ids.Kind, e, p.Path + ".value");
            }

            return;
        }

        if (p.IsNullOperand || seg.Attribute(p.Attribute) is not { } attr)
        {
            return;
        }

        var type = attr.Type;
        var valuePath = p.Path + ".value";
        var opPath = p.Path + ".op";
        switch (op)
        {
            case FilterOp.Glob or FilterOp.IGlob or FilterOp.Regex:
                if (type.Kind != ValueKind.String)
                {
                    throw new SearchQueryException(opPath, $"{p.Op} needs a string attribute; '{p.Attribute}' is {type}.");
                }

                return;
            case FilterOp.ContainsAllTokens or FilterOp.ContainsAnyToken or FilterOp.ContainsTokenSequence:
                if (attr.TextIndex is null)
                {
                    throw new SearchQueryException(p.Path + ".attribute", $"{p.Op} needs a full-text attribute; '{p.Attribute}' is not full-text indexed.");
                }

                return;
            case FilterOp.Eq when type.IsList && !p.Predicate.Operand!.IsList:
                throw new SearchQueryException(valuePath, $"Attribute '{p.Attribute}' is a list: Eq compares whole lists; use Contains for one element.");
            case FilterOp.Eq when !type.IsList && p.Predicate.Operand!.IsList:
                throw new SearchQueryException(valuePath, $"Attribute '{p.Attribute}' is {type}: Eq takes a single value; use In for a list.");
            case FilterOp.In when type.IsList:
                throw new SearchQueryException(opPath, $"Attribute '{p.Attribute}' is a list: use ContainsAny instead of In.");
            case FilterOp.Lt or FilterOp.Lte or FilterOp.Gt or FilterOp.Gte when type.IsList:
                throw new SearchQueryException(opPath, $"Attribute '{p.Attribute}' is a list: use Any{op} to compare its elements.");
        }

        foreach (var e in p.Elements)
        {
            if (!PreparedPredicate.Comparable(type.Kind, e.Kind))
            {
                throw new SearchQueryException(valuePath, $"A {e.Kind} value does not compare with attribute '{p.Attribute}' of type {type}.");
            }
        }
    }

    private RowBitmap EvalPositive(PreparedPredicate p, FilterOp op, SearchAttribute attr, int rows) => op switch
    {
        FilterOp.Eq when attr.Type.IsList => ListEquals(p, attr, rows),
        FilterOp.Eq or FilterOp.Contains => AnyElement(p, attr, rows, CompareOp.Eq, 0),
        FilterOp.In or FilterOp.ContainsAny => AnyOperand(p, attr, rows),
        FilterOp.Lt or FilterOp.Lte or FilterOp.Gt or FilterOp.Gte => AnyElement(p, attr, rows, ToCompare(op), 0),
        FilterOp.AnyLt or FilterOp.AnyLte or FilterOp.AnyGt or FilterOp.AnyGte => AnyElement(p, attr, rows, ToCompare(op - 4), 0),
        FilterOp.Glob or FilterOp.IGlob or FilterOp.Regex => MatchStrings(p, attr, rows),
        _ => Tokens(p, op, attr, rows),
    };

    private enum CompareOp
    {
        Eq,
        Lt,
        Lte,
        Gt,
        Gte,
    }

    private static CompareOp ToCompare(FilterOp op) => op switch
    {
        FilterOp.Lt => CompareOp.Lt,
        FilterOp.Lte => CompareOp.Lte,
        FilterOp.Gt => CompareOp.Gt,
        _ => CompareOp.Gte,
    };

    private static bool Holds(CompareOp op, int c) => op switch
    {
        CompareOp.Eq => c == 0,
        CompareOp.Lt => c < 0,
        CompareOp.Lte => c <= 0,
        CompareOp.Gt => c > 0,
        _ => c >= 0,
    };

    private static int? CompareAt(in ElementBlock block, int i, in ScalarValue v, byte[]? utf8) =>
        block.Kind == ValueKind.String ? block.Utf8(i).SequenceCompareTo(utf8) : block.Compare(i, v);

    /// <summary>Rows with some element E such that (E op operand[k]).</summary>
    private static RowBitmap AnyElement(PreparedPredicate p, SearchAttribute attr, int rows, CompareOp op, int k)
    {
        var v = p.Elements[k];
        var utf8 = p.Utf8.Length > 0 ? p.Utf8[k] : null;
        var result = RowBitmap.Rent(rows);
        if (attr.FilterIndex is { } fi)
        {
            var (from, to) = ValueRange(fi, op, v);
            foreach (var r in fi.Rows(from, Math.Max(from, to)))
            {
                result.Set((int)r);
            }

            return result;
        }

        var col = attr.Column;
        var block = col.Values;
        for (var row = 0; row < rows; row++)
        {
            if (!col.IsPresent(row))
            {
                continue;
            }

            var (start, count) = col.ElementRange(row);
            for (var e = start; e < start + count; e++)
            {
                if (CompareAt(block, e, v, utf8) is { } c && Holds(op, c))
                {
                    result.Set(row);
                    break;
                }
            }
        }

        return result;
    }

    /// <summary>Value indexes [from, to) of the dictionary whose values satisfy (value op operand); NaN values never do.</summary>
    private static (int From, int To) ValueRange(FilterIndex fi, CompareOp op, in ScalarValue v)
    {
        var n = fi.DistinctCount;
        var nan = 0;
        if (fi.Values.Kind == ValueKind.Double)
        {
            var d = fi.Values.Doubles;
            while (nan < n && double.IsNaN(d[nan]))
            {
                nan++;
            }
        }

        var (from, to) = op switch
        {
            CompareOp.Eq => (fi.LowerBound(v), fi.LowerBound(v, strict: true)),
            CompareOp.Lt => (0, fi.LowerBound(v)),
            CompareOp.Lte => (0, fi.LowerBound(v, strict: true)),
            CompareOp.Gt => (fi.LowerBound(v, strict: true), n),
            _ => (fi.LowerBound(v), n),
        };
        return (Math.Max(from, nan), to);
    }

    /// <summary>Rows with some element equal to some operand element (In, ContainsAny).</summary>
    private static RowBitmap AnyOperand(PreparedPredicate p, SearchAttribute attr, int rows)
    {
        var result = RowBitmap.Rent(rows);
        if (attr.FilterIndex is not null || p.Elements.Length <= 1)
        {
            for (var k = 0; k < p.Elements.Length; k++)
            {
                using var one = AnyElement(p, attr, rows, CompareOp.Eq, k);
                result.Or(one);
            }

            return result;
        }

        // Scan once, probing a sorted copy of the operands per element.
        var sorted = Enumerable.Range(0, p.Elements.Length).ToArray();
        Array.Sort(sorted, (a, b) => ScalarValue.Compare(p.Elements[a], p.Elements[b]));
        var col = attr.Column;
        var block = col.Values;
        for (var row = 0; row < rows; row++)
        {
            if (!col.IsPresent(row))
            {
                continue;
            }

            var (start, count) = col.ElementRange(row);
            for (var e = start; e < start + count; e++)
            {
                if (ContainsSorted(p, sorted, block, e))
                {
                    result.Set(row);
                    break;
                }
            }
        }

        return result;
    }

    private static bool ContainsSorted(PreparedPredicate p, int[] sorted, in ElementBlock block, int e)
    {
        int lo = 0, hi = sorted.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            var k = sorted[mid];
            var c = CompareAt(block, e, p.Elements[k], p.Utf8.Length > 0 ? p.Utf8[k] : null);
            if (c is null)
            {
                return false;
            }

            if (c == 0)
            {
                return true;
            }

            if (c < 0)
            {
                hi = mid - 1;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return false;
    }

    private static RowBitmap ListEquals(PreparedPredicate p, SearchAttribute attr, int rows)
    {
        var result = RowBitmap.Rent(rows);
        var col = attr.Column;
        var block = col.Values;
        var n = p.Elements.Length;
        for (var row = 0; row < rows; row++)
        {
            if (!col.IsPresent(row))
            {
                continue;
            }

            var (start, count) = col.ElementRange(row);
            if (count != n)
            {
                continue;
            }

            var equal = true;
            for (var i = 0; i < n && equal; i++)
            {
                equal = CompareAt(block, start + i, p.Elements[i], p.Utf8.Length > 0 ? p.Utf8[i] : null) == 0;
            }

            if (equal)
            {
                result.Set(row);
            }
        }

        return result;
    }

    private RowBitmap MatchStrings(PreparedPredicate p, SearchAttribute attr, int rows)
    {
        var result = RowBitmap.Rent(rows);
        if (attr.FilterIndex is { } fi)
        {
            // Match each distinct value once; a literal glob prefix narrows the dictionary range.
            var from = 0;
            var prefix = p.Glob is { LiteralPrefix.Length: > 0 } g ? Encoding.UTF8.GetBytes(g.LiteralPrefix) : null;
            if (prefix is not null)
            {
                from = fi.LowerBound(ScalarValue.String(p.Glob!.LiteralPrefix));
            }

            for (var i = from; i < fi.DistinctCount; i++)
            {
                var utf8 = fi.Values.Utf8(i);
                if (prefix is not null && !utf8.StartsWith(prefix))
                {
                    break;
                }

                if (Matches(p, utf8))
                {
                    foreach (var r in fi.Rows(i))
                    {
                        result.Set((int)r);
                    }
                }
            }

            return result;
        }

        var col = attr.Column;
        for (var row = 0; row < rows; row++)
        {
            if (!col.IsPresent(row))
            {
                continue;
            }

            var (start, count) = col.ElementRange(row);
            for (var e = start; e < start + count; e++)
            {
                if (Matches(p, col.Values.Utf8(e)))
                {
                    result.Set(row);
                    break;
                }
            }
        }

        return result;
    }

    private bool Matches(PreparedPredicate p, ReadOnlySpan<byte> utf8)
    {
        var max = utf8.Length;
        if (chars.Length < max)
        {
            if (chars.Length > 0)
            {
                ArrayPool<char>.Shared.Return(chars);
            }

            chars = ArrayPool<char>.Shared.Rent(Math.Max(max, 256));
        }

        var n = Encoding.UTF8.GetChars(utf8, chars);
        var text = chars.AsSpan(0, n);
        if (p.Glob is { } g)
        {
            return g.IsMatch(text);
        }

        try
        {
            return p.Regex!.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new SearchQueryException(p.Path + ".value", "The regular expression took too long on a value.");
        }
    }

    private RowBitmap Tokens(PreparedPredicate p, FilterOp op, SearchAttribute attr, int rows)
    {
        var index = attr.TextIndex!;
        var tokens = new List<string>();
        foreach (var e in p.Elements)
        {
            index.Analyzer.Tokenize(e.AsString, tokens);
        }

        var result = RowBitmap.Rent(rows);
        if (tokens.Count == 0)
        {
            return result;
        }

        var terms = tokens.ConvertAll(index.FindTerm);
        if (op == FilterOp.ContainsAnyToken)
        {
            foreach (var t in terms.Where(t => t >= 0).Distinct())
            {
                foreach (var r in index.PostingRows(t))
                {
                    result.Set((int)r);
                }
            }

            return result;
        }

        if (terms.Contains(-1))
        {
            return result;
        }

        var distinct = terms.Distinct().OrderBy(t => index.PostingRange(t).Count).ToList();
        foreach (var r in index.PostingRows(distinct[0]))
        {
            result.Set((int)r);
        }

        using var other = RowBitmap.Rent(rows);
        for (var i = 1; i < distinct.Count; i++)
        {
            other.Clear();
            foreach (var r in index.PostingRows(distinct[i]))
            {
                other.Set((int)r);
            }

            result.And(other);
        }

        if (op == FilterOp.ContainsTokenSequence && terms.Count > 1)
        {
            for (var row = result.NextSet(0); row >= 0; row = result.NextSet(row + 1))
            {
                if (!HasSequence(index, terms, row))
                {
                    result[row] = false;
                }
            }
        }

        return result;
    }

    private static bool HasSequence(TextIndex index, List<int> terms, int row)
    {
        var first = Positions(index, terms[0], row);
        foreach (var start in first)
        {
            var ok = true;
            for (var i = 1; i < terms.Count && ok; i++)
            {
                ok = Positions(index, terms[i], row).BinarySearch(start + (uint)i) >= 0;
            }

            if (ok)
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<uint> Positions(TextIndex index, int term, int row)
    {
        var nth = index.PostingRows(term).BinarySearch((uint)row);
        return nth < 0 ? [] : index.Positions(term, nth);
    }

    private RowBitmap EvalId(PreparedPredicate p, FilterOp op, SearchSegment seg)
    {
        var ids = seg.Ids;
        var rows = seg.RowCount;
        var result = RowBitmap.Rent(rows);
        if (p.IsNullOperand)
        {
            // Every row has an id: Eq null matches nothing (NotEq null, everything).
            return result;
        }

        var valuePath = p.Path + ".value";
        var elements = p.Elements.Select(e => IdOperand(ids.Kind, e, valuePath)).ToArray();
        switch (op)
        {
            case FilterOp.Eq or FilterOp.In:
                foreach (var e in elements)
                {
                    var (from, to) = IdRange(ids, CompareOp.Eq, e);
                    for (var r = from; r < to; r++)
                    {
                        result.Set(r);
                    }
                }

                return result;
            case FilterOp.Lt or FilterOp.Lte or FilterOp.Gt or FilterOp.Gte:
                {
                    var (from, to) = IdRange(ids, ToCompare(op), elements[0]);
                    for (var r = from; r < to; r++)
                    {
                        result.Set(r);
                    }

                    return result;
                }

            case FilterOp.Glob or FilterOp.IGlob or FilterOp.Regex when ids.Kind == DocIdKind.String:
                for (var r = 0; r < rows; r++)
                {
                    if (Matches(p, ids.Values.Utf8(r)))
                    {
                        result.Set(r);
                    }
                }

                return result;
            default:
                return result;
        }
    }

    private static ScalarValue IdOperand(DocIdKind kind, ScalarValue e, string path)
    {
        switch (kind)
        {
            case DocIdKind.U64 when e.Kind is ValueKind.UInt64 or ValueKind.Int64 or ValueKind.Double:
            case DocIdKind.String when e.Kind == ValueKind.String:
            case DocIdKind.Uuid when e.Kind == ValueKind.Uuid:
                return e;
            case DocIdKind.Uuid when e.Kind == ValueKind.String && Guid.TryParse(e.AsString, out var g):
                return ScalarValue.Uuid(g);
            default:
                throw new SearchQueryException(path, $"A {e.Kind} value does not compare with {kind} document ids.");
        }
    }

    /// <summary>Rows [from, to) whose id satisfies (id op operand): ids are sorted, so it is one range.</summary>
    private static (int From, int To) IdRange(DocIdColumn ids, CompareOp op, ScalarValue v)
    {
        var lower = LowerBound(ids, v, strict: false);
        var upper = LowerBound(ids, v, strict: true);
        return op switch
        {
            CompareOp.Eq => (lower, upper),
            CompareOp.Lt => (0, lower),
            CompareOp.Lte => (0, upper),
            CompareOp.Gt => (upper, ids.Count),
            _ => (lower, ids.Count),
        };
    }

    private static int LowerBound(DocIdColumn ids, ScalarValue v, bool strict)
    {
        int lo = 0, hi = ids.Count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = ids.Values.Compare(mid, v) ?? -1;
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
