namespace Moat.Search;

/// <summary>
/// Attribute order: through the filter index's sorted dictionary where the segment has one (stop
/// after k rows), else a sort of the matching rows; missing values last; ties by id ascending.
/// </summary>
internal sealed partial class QueryExecution
{
    private void RankByOrder(OrderRanking o, FilterEvaluator filters)
    {
        if (string.IsNullOrEmpty(o.Attribute))
        {
            throw new SearchQueryException("rank_by.order_by.attribute", "Name the attribute to order by.");
        }

        if (o.Attribute == "id")
        {
            IdOrder(filters, o.Descending);
            return;
        }

        foreach (var seg in Segments)
        {
            if (seg.Attribute(o.Attribute) is { Type.IsList: true } a)
            {
                throw new SearchQueryException("rank_by.order_by.attribute", $"Attribute '{o.Attribute}' is {a.Type}: order by a scalar attribute.");
            }
        }

        var k = query.TopK;
        var values = new List<ScalarValue?>();
        for (var s = 0; s < Segments.Count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seg = Segments[s];
            using var match = filters.Evaluate(s);
            matched += match.PopCount();
            var attr = seg.Attribute(o.Attribute);
            var before = candidates.Count;
            if (attr?.FilterIndex is { } fi)
            {
                var taken = 0;
                for (var i = 0; i < fi.DistinctCount && taken < k; i++)
                {
                    var v = o.Descending ? fi.DistinctCount - 1 - i : i;
                    foreach (var row in fi.Rows(v))
                    {
                        if (match[(int)row])
                        {
                            candidates.Add(new Candidate(s, (int)row, 0));
                            if (++taken == k)
                            {
                                break;
                            }
                        }
                    }
                }

                for (var row = match.NextSet(0); row >= 0 && taken < k; row = match.NextSet(row + 1))
                {
                    if (!attr.Column.IsPresent(row))
                    {
                        candidates.Add(new Candidate(s, row, 0));
                        taken++;
                    }
                }
            }
            else
            {
                var rows = new List<int>();
                for (var row = match.NextSet(0); row >= 0; row = match.NextSet(row + 1))
                {
                    rows.Add(row);
                }

                if (attr is not null)
                {
                    var col = attr.Column;
                    rows.Sort((a, b) =>
                    {
                        bool pa = col.IsPresent(a), pb = col.IsPresent(b);
                        if (pa != pb)
                        {
                            return pa ? -1 : 1;
                        }

                        var c = pa ? col.Values.CompareElements(a, b) : 0;
                        return c != 0 ? (o.Descending ? -c : c) : a.CompareTo(b);
                    });
                }

                for (var i = 0; i < rows.Count && i < k; i++)
                {
                    candidates.Add(new Candidate(s, rows[i], 0));
                }
            }

            for (var i = before; i < candidates.Count; i++)
            {
                var c = candidates[i];
                values.Add(attr is not null && attr.Column.IsPresent(c.Row) ? attr.Column.Values.Get(c.Row) : null);
            }
        }

        // Merge across segments on the values themselves.
        var order = Enumerable.Range(0, candidates.Count).ToArray();
        Array.Sort(order, (x, y) =>
        {
            var vx = values[x];
            var vy = values[y];
            if (vx is null != vy is null)
            {
                return vx is null ? 1 : -1;
            }

            var c = vx is null ? 0 : ScalarValue.Compare(vx.Value, vy!.Value);
            return c != 0 ? (o.Descending ? -c : c) : CompareIds(candidates[x], candidates[y]);
        });
        var merged = order.Select(i => candidates[i]).ToList();
        candidates.Clear();
        candidates.AddRange(merged);
    }
}
