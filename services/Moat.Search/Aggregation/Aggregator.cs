using System.Text;

namespace Moat.Search;

/// <summary>
/// Count and Sum over the matching live rows, optionally grouped by scalar attributes. Per segment,
/// each group attribute's values become segment-local ordinals (one dictionary lookup per row, no
/// allocation per row), the ordinals a composite key, and the local groups merge by value.
/// </summary>
internal sealed class Aggregator(SearchSnapshot snapshot, SearchQuery query, FilterEvaluator filters, CancellationToken cancellationToken)
{
    private readonly Dictionary<GroupKey, Accumulator> groups = [];
    private ValueKind[] sumKinds = [];
    private char[] chars = new char[256];

    public SearchResult Run()
    {
        Validate();
        long matched = 0;
        for (var s = 0; s < snapshot.Segments.Count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var match = filters.Evaluate(s);
            var count = match.PopCount();
            matched += count;
            if (count > 0)
            {
                Aggregate(snapshot.Segments[s], match);
            }
        }

        var stats = new SearchStats { MatchedRows = matched };
        if (query.GroupBy.Count == 0)
        {
            var total = groups.Values.FirstOrDefault() ?? new Accumulator(query.Aggregates.Count);
            return new SearchResult { Hits = [], Aggregates = Values(total), Stats = stats };
        }

        var ordered = groups.Keys.ToList();
        ordered.Sort();
        var result = new List<AggregateGroup>();
        foreach (var key in ordered.Take(query.TopK))
        {
            var parts = new Dictionary<string, FieldValue?>(StringComparer.Ordinal);
            for (var i = 0; i < query.GroupBy.Count; i++)
            {
                parts[query.GroupBy[i]] = key.Parts[i] is { } v ? FieldValue.Of(v) : null;
            }

            result.Add(new AggregateGroup { Key = parts, Values = Values(groups[key]) });
        }

        return new SearchResult { Hits = [], Groups = result, Stats = stats };
    }

    private void Validate()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        sumKinds = new ValueKind[query.Aggregates.Count];
        for (var i = 0; i < query.Aggregates.Count; i++)
        {
            var a = query.Aggregates[i];
            var path = $"aggregates[{i}]";
            if (string.IsNullOrEmpty(a.Name) || !names.Add(a.Name))
            {
                throw new SearchQueryException(path + ".name", "Each aggregate needs a unique, non-empty name.");
            }

            if (a.Function == AggregateFunction.Count)
            {
                continue;
            }

            if (a.Function != AggregateFunction.Sum)
            {
                throw new SearchQueryException(path, "Unknown aggregate function.");
            }

            if (string.IsNullOrEmpty(a.Attribute))
            {
                throw new SearchQueryException(path + ".sum.attribute", "Sum needs an attribute.");
            }

            sumKinds[i] = ValueKind.Int64;
            foreach (var seg in snapshot.Segments)
            {
                if (seg.Attribute(a.Attribute) is { } attr)
                {
                    if (attr.Type.IsList || !attr.Type.IsNumeric)
                    {
                        throw new SearchQueryException(path + ".sum.attribute", $"Sum needs an INT64, UINT64 or DOUBLE attribute; '{a.Attribute}' is {attr.Type}.");
                    }

                    sumKinds[i] = attr.Type.Kind;
                }
            }
        }

        for (var i = 0; i < query.GroupBy.Count; i++)
        {
            var name = query.GroupBy[i];
            if (string.IsNullOrEmpty(name))
            {
                throw new SearchQueryException($"group_by[{i}]", "A group_by entry names no attribute.");
            }

            foreach (var seg in snapshot.Segments)
            {
                if (seg.Attribute(name) is { Type.IsList: true } attr)
                {
                    throw new SearchQueryException($"group_by[{i}]", $"Group by a scalar attribute; '{name}' is {attr.Type}.");
                }
            }
        }
    }

    private void Aggregate(SearchSegment seg, RowBitmap match)
    {
        var sumColumns = query.Aggregates.Select(a => a.Function == AggregateFunction.Sum ? seg.Attribute(a.Attribute!)?.Column : null).ToArray();
        if (query.GroupBy.Count == 0)
        {
            var key = new GroupKey([]);
            if (!groups.TryGetValue(key, out var acc))
            {
                groups[key] = acc = new Accumulator(query.Aggregates.Count);
            }

            acc.Count += (ulong)match.PopCount();
            for (var row = match.NextSet(0); row >= 0; row = match.NextSet(row + 1))
            {
                AddSums(acc, sumColumns, row);
            }

            return;
        }

        // Segment-local ordinals per group attribute (-1 = missing), then a mixed-radix composite key.
        var g = query.GroupBy.Count;
        var ordinals = new int[g][];
        var localValues = new List<ScalarValue>[g];
        for (var i = 0; i < g; i++)
        {
            (ordinals[i], localValues[i]) = Ordinals(seg, query.GroupBy[i], match);
        }

        var local = new Dictionary<long, Accumulator>();
        var localKeys = new Dictionary<long, int[]>();
        for (var row = match.NextSet(0); row >= 0; row = match.NextSet(row + 1))
        {
            long composite = 0;
            for (var i = 0; i < g; i++)
            {
                composite = checked((composite * (localValues[i].Count + 1)) + ordinals[i][row] + 1);
            }

            if (!local.TryGetValue(composite, out var acc))
            {
                local[composite] = acc = new Accumulator(query.Aggregates.Count);
                var parts = new int[g];
                for (var i = 0; i < g; i++)
                {
                    parts[i] = ordinals[i][row];
                }

                localKeys[composite] = parts;
            }

            acc.Count++;
            AddSums(acc, sumColumns, row);
        }

        foreach (var (composite, acc) in local)
        {
            var parts = localKeys[composite];
            var key = new GroupKey([.. parts.Select((o, i) => o < 0 ? (ScalarValue?)null : localValues[i][o])]);
            if (!groups.TryGetValue(key, out var total))
            {
                groups[key] = total = new Accumulator(query.Aggregates.Count);
            }

            total.AddFrom(acc);
        }
    }

    private void AddSums(Accumulator acc, AttributeColumn?[] columns, int row)
    {
        for (var i = 0; i < columns.Length; i++)
        {
            var col = columns[i];
            if (col is null || !col.IsPresent(row))
            {
                continue;
            }

            try
            {
                switch (col.Type.Kind)
                {
                    case ValueKind.Int64:
                        acc.Int64Sums[i] = checked(acc.Int64Sums[i] + col.Values.Int64s[row]);
                        break;
                    case ValueKind.UInt64:
                        acc.UInt64Sums[i] = checked(acc.UInt64Sums[i] + col.Values.UInt64s[row]);
                        break;
                    default:
                        acc.DoubleSums[i] += col.Values.Doubles[row];
                        break;
                }
            }
            catch (OverflowException)
            {
                throw new SearchQueryException($"aggregates[{i}].sum.attribute", $"The sum of '{query.Aggregates[i].Attribute}' overflows {col.Type.Kind}.");
            }
        }
    }

    private Dictionary<string, ScalarValue> Values(Accumulator acc)
    {
        var values = new Dictionary<string, ScalarValue>(StringComparer.Ordinal);
        for (var i = 0; i < query.Aggregates.Count; i++)
        {
            var a = query.Aggregates[i];
            values[a.Name] = a.Function == AggregateFunction.Count
                ? ScalarValue.UInt64(acc.Count)
                : sumKinds[i] switch
                {
                    ValueKind.UInt64 => ScalarValue.UInt64(acc.UInt64Sums[i]),
                    ValueKind.Double => ScalarValue.Double(acc.DoubleSums[i]),
                    _ => ScalarValue.Int64(acc.Int64Sums[i]),
                };
        }

        return values;
    }

    /// <summary>Per row of the segment: the ordinal of its value among the segment's distinct matched values, or -1.</summary>
    private (int[] Ordinals, List<ScalarValue> Values) Ordinals(SearchSegment seg, string attribute, RowBitmap match)
    {
        var ordinals = new int[seg.RowCount];
        Array.Fill(ordinals, -1);
        var values = new List<ScalarValue>();
        if (seg.Attribute(attribute) is not { } attr)
        {
            return (ordinals, values);
        }

        var col = attr.Column;
        var block = col.Values;
        if (block.Kind == ValueKind.String)
        {
            var byText = new Dictionary<string, int>(StringComparer.Ordinal);
            var lookup = byText.GetAlternateLookup<ReadOnlySpan<char>>();
            for (var row = match.NextSet(0); row >= 0; row = match.NextSet(row + 1))
            {
                if (!col.IsPresent(row))
                {
                    continue;
                }

                var utf8 = block.Utf8(row);
                if (chars.Length < utf8.Length)
                {
                    chars = new char[utf8.Length * 2];
                }

                var text = chars.AsSpan(0, Encoding.UTF8.GetChars(utf8, chars));
                if (!lookup.TryGetValue(text, out var o))
                {
                    o = values.Count;
                    var s = text.ToString();
                    byText[s] = o;
                    values.Add(ScalarValue.String(s));
                }

                ordinals[row] = o;
            }

            return (ordinals, values);
        }

        var byBits = new Dictionary<(ulong, ulong), int>();
        for (var row = match.NextSet(0); row >= 0; row = match.NextSet(row + 1))
        {
            if (!col.IsPresent(row))
            {
                continue;
            }

            var v = block.Get(row);
            var key = block.Kind == ValueKind.Uuid ? (v.UuidHi, v.UuidLo) : (block.Kind == ValueKind.Double && v.AsDouble == 0 ? 0UL : v.Bits, 0UL);
            if (!byBits.TryGetValue(key, out var o))
            {
                o = values.Count;
                byBits[key] = o;
                values.Add(v);
            }

            ordinals[row] = o;
        }

        return (ordinals, values);
    }
}
