namespace Moat.Search;

/// <summary>
/// Shadowing across segments: a row is live unless a newer segment holds a row or a tombstone with
/// the same id. Ids are sorted in every segment, so each (older, newer) pair is one merge join
/// without allocation.
/// </summary>
internal static class Liveness
{
    public static RowBitmap[] Compute(IReadOnlyList<SearchSegment> oldestFirst)
    {
        var result = new RowBitmap[oldestFirst.Count];
        for (var i = 0; i < oldestFirst.Count; i++)
        {
            var seg = oldestFirst[i];
            var bits = RowBitmap.Create(seg.RowCount, full: true);
            for (var j = i + 1; j < oldestFirst.Count && seg.RowCount > 0; j++)
            {
                Shadow(seg.Ids, oldestFirst[j].Ids, bits);
                Shadow(seg.Ids, oldestFirst[j].Tombstones, bits);
            }

            result[i] = bits;
        }

        return result;
    }

    private static void Shadow(DocIdColumn older, DocIdColumn newer, RowBitmap live)
    {
        if (newer.Count == 0 || older.Kind != newer.Kind)
        {
            return;
        }

        int a = 0, b = 0;
        while (a < older.Count && b < newer.Count)
        {
            var c = older.Compare(a, newer, b);
            if (c == 0)
            {
                live[a] = false;
                a++;
                b++;
            }
            else if (c < 0)
            {
                a++;
            }
            else
            {
                b++;
            }
        }
    }
}
