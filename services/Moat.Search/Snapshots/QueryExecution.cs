namespace Moat.Search;

/// <summary>
/// Runs one query over a snapshot: validates it, evaluates the filter per segment (live rows
/// only), ranks within each segment, merges the per-segment top k, and projects the hits.
/// </summary>
internal sealed partial class QueryExecution(SearchSnapshot snapshot, SearchQuery query, CancellationToken cancellationToken)
{
    private readonly List<Candidate> candidates = [];
    private long exhaustive;
    private int indexedSegments;
    private int exactSegments;
    private long matched;

    private IReadOnlyList<SearchSegment> Segments => snapshot.Segments;

    public SearchResult Run()
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (query.TopK is < 1 or > SearchQuery.MaxTopK)
        {
            throw new SearchQueryException("top_k", $"top_k must be 1 to {SearchQuery.MaxTopK}; got {query.TopK}.");
        }

        using var filters = new FilterEvaluator(snapshot, query.Filter, cancellationToken);
        if (query.Aggregates.Count > 0 || query.GroupBy.Count > 0)
        {
            if (query.RankBy is not null)
            {
                throw new SearchQueryException("rank_by", "A query with aggregates has no ranking.");
            }

            return new Aggregator(snapshot, query, filters, cancellationToken).Run();
        }

        switch (query.RankBy)
        {
            case null:
                IdOrder(filters, descending: false);
                break;
            case VectorRanking v:
                RankByVector(v, filters);
                break;
            case TextRanking t:
                RankByText(t, filters);
                break;
            case OrderRanking o:
                RankByOrder(o, filters);
                break;
            default:
                throw new SearchQueryException("rank_by", "Unknown ranking.");
        }

        var hits = new List<SearchHit>(Math.Min(candidates.Count, query.TopK));
        var projection = new ProjectionPlan(query.Projection);
        List<ReadOnlyMemory<byte>>? missing = null;
        for (var i = 0; i < candidates.Count && i < query.TopK; i++)
        {
            var c = candidates[i];
            try
            {
                hits.Add(projection.Materialize(Segments[c.Segment], c.Segment, c.Row, c.Score));
            }
            catch (NotResidentException e)
            {
                (missing ??= []).AddRange(e.Needed); // every hit's missing rows in one run
            }
        }

        if (missing is not null)
        {
            throw new NotResidentException(missing);
        }

        return new SearchResult
        {
            Hits = hits,
            Stats = new SearchStats
            {
                ExhaustiveCount = exhaustive,
                IndexedSegments = indexedSegments,
                ExactSegments = exactSegments,
                MatchedRows = matched,
            },
        };
    }

    private DocId IdOf(in Candidate c) => Segments[c.Segment].Ids[c.Row];

    private int CompareIds(in Candidate a, in Candidate b) =>
        a.Segment == b.Segment ? a.Row.CompareTo(b.Row) : Segments[a.Segment].Ids.Compare(a.Row, Segments[b.Segment].Ids, b.Row);

    /// <summary>No ranking (or order by id): rows in id order; each segment's rows are already sorted.</summary>
    private void IdOrder(FilterEvaluator filters, bool descending)
    {
        var k = query.TopK;
        for (var s = 0; s < Segments.Count; s++)
        {
            using var match = filters.Evaluate(s);
            matched += match.PopCount();
            var taken = 0;
            if (!descending)
            {
                for (var row = match.NextSet(0); row >= 0 && taken < k; row = match.NextSet(row + 1), taken++)
                {
                    candidates.Add(new Candidate(s, row, 0));
                }
            }
            else
            {
                for (var row = match.Length - 1; row >= 0 && taken < k; row--)
                {
                    if (match[row])
                    {
                        candidates.Add(new Candidate(s, row, 0));
                        taken++;
                    }
                }
            }
        }

        candidates.Sort((a, b) => descending ? CompareIds(b, a) : CompareIds(a, b));
    }

    /// <summary>A ranked row: segment, row, score (distance, BM25 score or 0).</summary>
    private readonly record struct Candidate(int Segment, int Row, double Score);
}
