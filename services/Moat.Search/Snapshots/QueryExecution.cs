namespace Moat.Search;

/// <summary>Runs one query over a snapshot.</summary>
internal sealed class QueryExecution(SearchSnapshot snapshot, SearchQuery query, CancellationToken cancellationToken)
{
    public SearchResult Run()
    {
        cancellationToken.ThrowIfCancellationRequested();
        _ = snapshot;
        _ = query;
        throw new SearchQueryException("query", "The engine is being built.");
    }
}
