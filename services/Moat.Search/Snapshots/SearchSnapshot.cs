using System.Collections.Concurrent;

namespace Moat.Search;

/// <summary>
/// A consistent view of a namespace: stored segments oldest first, then the WAL tail (unindexed
/// documents folded in memory). A row is live when no newer segment has a row or tombstone with
/// its id; liveness is computed once here and shared by every query. Thread-safe for queries.
/// </summary>
public sealed partial class SearchSnapshot
{
    private readonly RowBitmap[] live;
    private readonly ConcurrentDictionary<string, TextStatistics> textStatistics = new(StringComparer.Ordinal);

    /// <param name="segmentsOldestFirst">Stored segments, oldest first.</param>
    /// <param name="tail">The WAL tail (newest), or null.</param>
    public SearchSnapshot(IReadOnlyList<SearchSegment> segmentsOldestFirst, SearchSegment? tail = null)
    {
        ArgumentNullException.ThrowIfNull(segmentsOldestFirst);
        var all = new List<SearchSegment>(segmentsOldestFirst);
        if (tail is not null)
        {
            all.Add(tail);
        }

        Segments = all;
        live = Liveness.Compute(all);
        LiveCount = live.Sum(b => (long)b.PopCount());
    }

    /// <summary>Every segment, oldest first, the tail last.</summary>
    public IReadOnlyList<SearchSegment> Segments { get; }

    /// <summary>Live rows in the snapshot.</summary>
    public long LiveCount { get; }

    /// <summary>Live rows of segment <paramref name="segment"/> (do not modify or dispose).</summary>
    public RowBitmap Live(int segment) => live[segment];

    /// <summary>BM25 statistics of a full-text attribute over the live rows, computed once.</summary>
    internal TextStatistics TextStatistics(string attribute) => textStatistics.GetOrAdd(attribute, a => global::Moat.Search.TextStatistics.Compute(this, a));

    /// <summary>Runs one query.</summary>
    public SearchResult Search(SearchQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new QueryExecution(this, query, cancellationToken).Run();
    }
}
