namespace Moat.Search;

/// <summary>
/// BM25 collection statistics of one attribute over a snapshot's live rows: N = live rows whose
/// field has at least one token, and their total length (for the average).
/// </summary>
internal sealed record TextStatistics(long Documents, double TotalLength)
{
    public double AverageLength => Documents == 0 ? 0 : TotalLength / Documents;

    public static TextStatistics Compute(SearchSnapshot snapshot, string attribute)
    {
        long n = 0;
        double total = 0;
        for (var s = 0; s < snapshot.Segments.Count; s++)
        {
            if (snapshot.Segments[s].Attribute(attribute)?.TextIndex is not { } index)
            {
                continue;
            }

            var live = snapshot.Live(s);
            var lengths = index.DocumentLengths;
            for (var row = live.NextSet(0); row >= 0; row = live.NextSet(row + 1))
            {
                if (lengths[row] > 0)
                {
                    n++;
                    total += lengths[row];
                }
            }
        }

        return new TextStatistics(n, total);
    }
}
