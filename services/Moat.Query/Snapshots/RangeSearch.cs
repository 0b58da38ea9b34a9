using Moat.Search;
using Moat.Storage.Sealing;

namespace Moat.Query.Snapshots;

/// <summary>
/// A search over segments read by ranges: bring in the sections the query names, run it, and when
/// the engine reports rows or index lists it lacks (<see cref="NotResidentException"/>), fetch
/// exactly those and run it again. The engine is pure and a run has no side effects, so a repeated
/// run returns what one run over the whole segments would.
/// </summary>
internal static class RangeSearch
{
    /// <summary>
    /// Runs before bringing the segments in whole (each run brings in everything the previous one
    /// lacked in every segment; two or three are usual, a selective filter widening over many
    /// lists may take a few more).
    /// </summary>
    private const int MaxRuns = 8;

    /// <param name="runs">Told how many times the query ran (tests, benchmarks).</param>
    public static async Task<SearchResult> RunAsync(SearchSnapshot engine, IReadOnlyList<RangeSegment> ranged, SearchQuery query, IDataKeySource keys, CancellationToken cancellationToken, Action<int>? runs = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(query);
        var needs = QueryNeeds.Of(query);
        await Task.WhenAll(ranged.Select(r => r.PrepareAsync(needs, keys, cancellationToken))).ConfigureAwait(false);
        for (var run = 1; ; run++)
        {
            try
            {
                var result = engine.Search(query, cancellationToken);
                runs?.Invoke(run);
                return result;
            }
            catch (NotResidentException e) when (run < MaxRuns)
            {
                await Task.WhenAll(ranged.Select(r => r.EnsureAsync(e.Needed.Where(r.Owns), keys, cancellationToken))).ConfigureAwait(false);
            }
            catch (NotResidentException) when (run == MaxRuns)
            {
                // Still asking for more: stop asking piecemeal and bring the segments in whole
                // (the next run then needs nothing).
                await Task.WhenAll(ranged.Select(r => r.EnsureAllAsync(keys, cancellationToken))).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Brings in every segment whole and every engine part.</summary>
    public static async Task LoadAllAsync(IReadOnlyList<RangeSegment> ranged, IDataKeySource keys, CancellationToken cancellationToken)
    {
        await Task.WhenAll(ranged.Select(r => r.EnsureAllAsync(keys, cancellationToken))).ConfigureAwait(false);
        await Task.WhenAll(ranged.Select(r => r.PrepareAsync(QueryNeeds.Everything, keys, cancellationToken))).ConfigureAwait(false);
    }
}
