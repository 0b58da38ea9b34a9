using Moat.Search.Vectors;

namespace Moat.Search;

/// <summary>Vector ranking: per segment ANN (filter applied inside the index) or exact scan, then a merge.</summary>
internal sealed partial class QueryExecution
{
    private void RankByVector(VectorRanking v, FilterEvaluator filters)
    {
        if (string.IsNullOrEmpty(v.Column))
        {
            throw new SearchQueryException("rank_by.vector.column", "Name the vector column to rank by.");
        }

        var dims = -1;
        foreach (var seg in Segments)
        {
            if (seg.Vectors.TryGetValue(v.Column, out var col))
            {
                dims = col.Dimensions;
                break;
            }
        }

        if (dims < 0)
        {
            throw new SearchQueryException("rank_by.vector.column", $"The namespace has no vector column '{v.Column}'.");
        }

        if (v.Vector is null || v.Vector.Length != dims)
        {
            throw new SearchQueryException("rank_by.vector.vector", $"The query vector has {v.Vector?.Length ?? 0} dimensions; column '{v.Column}' has {dims}.", "DIMENSION_MISMATCH");
        }

        foreach (var x in v.Vector)
        {
            if (!float.IsFinite(x))
            {
                throw new SearchQueryException("rank_by.vector.vector", "The query vector holds a NaN or infinite element.");
            }
        }

        var k = query.TopK;
        var ann = query.Ann ?? AnnOptions.Default;
        var heap = new NeighborHeap(k);
        var found = new Neighbor[k];
        List<ReadOnlyMemory<byte>>? missing = null;
        for (var s = 0; s < Segments.Count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seg = Segments[s];
            if (!seg.Vectors.TryGetValue(v.Column, out var column) || seg.RowCount == 0)
            {
                continue;
            }

            using var accept = filters.Evaluate(s);
            var acceptCount = accept.PopCount();
            matched += acceptCount;
            if (acceptCount == 0)
            {
                continue;
            }

            var index = column.Index;
            var useIndex = !v.Exact && index is not null && ann.Strategy != AnnStrategy.Exact
                && (ann.Strategy == AnnStrategy.Index || acceptCount > (ann.ExactThreshold > 0 ? ann.ExactThreshold : index.EstimatedCost(k, ann)));
            int n;
            try
            {
                if (useIndex)
                {
                    n = index!.Search(column, v.Vector, acceptCount == seg.RowCount ? null : accept, acceptCount, ann, found);
                    indexedSegments++;
                }
                else
                {
                    heap.Clear();
                    exhaustive += ExactSearch.Search(column, v.Vector, accept, heap);
                    n = heap.Drain(found);
                    exactSegments++;
                }
            }
            catch (NotResidentException e)
            {
                // Go on through the other segments, so one run names what every segment lacks.
                (missing ??= []).AddRange(e.Needed);
                continue;
            }

            for (var i = 0; i < n; i++)
            {
                candidates.Add(new Candidate(s, found[i].Row, found[i].Distance));
            }
        }

        if (missing is not null)
        {
            throw new NotResidentException(missing);
        }

        candidates.Sort((a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : CompareIds(a, b));
    }
}
