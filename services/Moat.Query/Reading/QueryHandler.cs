using Google.Protobuf.WellKnownTypes;
using Moat.Hosting.Errors;
using Moat.Keys.Client;
using Moat.Query.Mapping;
using Moat.Query.Snapshots;
using Moat.Query.Validation;
using Moat.Search;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.V1;

namespace Moat.Query.Reading;

/// <summary>
/// Query and MultiQuery: the key gate (KeyVault's decision for this caller, or the fresh cache it
/// filled: a disabled key fails here even when the data is cached), the namespace view for the
/// requested consistency, validation against its schema, then the engine.
/// </summary>
internal sealed class QueryHandler(SnapshotCache cache, KeyVaultKeySource keys, IObjectStore store, TimeProvider time)
{
    public const int MaxQueries = 16;

    public async Task<QueryResponse> QueryAsync(ReadContext read, QueryRequest request, CancellationToken cancellationToken)
    {
        using var callerKeys = new CallerKeySource(keys, read.Access);
        var (view, performance, clock) = await OpenAsync(read, callerKeys, request.Consistency, cancellationToken).ConfigureAwait(false);
        var violations = new Violations();
        var spec = request.Query ?? new QuerySpec();
        QuerySpecValidator.Validate(spec, view.Meta.Meta.Config, "query", violations);
        violations.ThrowIfAny();
        var computeStart = time.GetTimestamp();
        var (result, exhaustive) = await RunAsync(view, spec, "query", callerKeys, read, cancellationToken).ConfigureAwait(false);
        performance.ExhaustiveCount = (ulong)exhaustive;
        Finish(performance, clock, computeStart);
        return new QueryResponse { Result = result, Performance = performance };
    }

    public async Task<MultiQueryResponse> MultiQueryAsync(ReadContext read, MultiQueryRequest request, CancellationToken cancellationToken)
    {
        if (request.Queries.Count is 0 or > MaxQueries)
        {
            throw new MoatValidationException("queries", $"give 1 to {MaxQueries} queries");
        }

        using var callerKeys = new CallerKeySource(keys, read.Access);
        var (view, performance, clock) = await OpenAsync(read, callerKeys, request.Consistency, cancellationToken).ConfigureAwait(false);
        var violations = new Violations();
        for (var i = 0; i < request.Queries.Count; i++)
        {
            QuerySpecValidator.Validate(request.Queries[i], view.Meta.Meta.Config, $"queries[{i}]", violations);
        }

        violations.ThrowIfAny();
        var computeStart = time.GetTimestamp();
        var response = new MultiQueryResponse();
        long exhaustive = 0;
        for (var i = 0; i < request.Queries.Count; i++)
        {
            var (result, count) = await RunAsync(view, request.Queries[i], $"queries[{i}]", callerKeys, read, cancellationToken).ConfigureAwait(false);
            exhaustive += count;
            response.Results.Add(result);
        }

        performance.ExhaustiveCount = (ulong)exhaustive;
        Finish(performance, clock, computeStart);
        response.Performance = performance;
        return response;
    }

    /// <summary>The key gate and the view; the performance report filled with what is known so far.</summary>
    /// <param name="callerKeys">The caller's keys, kept for the whole request: a search may read more of the store.</param>
    internal async Task<(NamespaceView View, QueryPerformance Performance, Clock Clock)> OpenAsync(ReadContext read, CallerKeySource callerKeys, Consistency consistency, CancellationToken cancellationToken)
    {
        var clock = new Clock(time.GetTimestamp());
        var effective = consistency == Consistency.Unspecified ? Consistency.Strong : consistency;
        await KeyGateAsync(read, cancellationToken).ConfigureAwait(false);
        clock.KeysDone = time.GetTimestamp();

        var stats = new ReadStats();
        var view = await cache.GetAsync(read, callerKeys, effective, stats, cancellationToken).ConfigureAwait(false);

        clock.StorageDone = time.GetTimestamp();
        var performance = new QueryPerformance
        {
            CacheTemperature = stats.Temperature,
            CacheHitRatio = stats.HitRatio,
            LastIncludedWalSequence = view.Version,
            ApproxRowCount = (ulong)view.Engine.LiveCount,
            Consistency = effective,
        };
        return (view, performance, clock);
    }

    /// <summary>
    /// KeyVault's decision for this caller (or the fresh cache it filled): a disabled or destroyed key
    /// fails here even when the namespace's data is cached. A name reserved but never initialized has
    /// no KEK: for a reader that is a namespace that does not exist.
    /// </summary>
    internal async Task KeyGateAsync(ReadContext read, CancellationToken cancellationToken)
    {
        try
        {
            using var lease = await keys.GetCurrentAsync(read.Access, cancellationToken).ConfigureAwait(false);
        }
        catch (MoatException e) when (e.Reason == ErrorReason.KeyNotFound)
        {
            if (await store.HeadAsync(StoragePaths.Meta(read.NamespaceId), cancellationToken).ConfigureAwait(false) is null)
            {
                throw ReadContext.NamespaceNotFound(read.NamespaceName);
            }

            throw;
        }
    }

    /// <summary>Runs one query spec on the view (bringing in from the store what it reads), mapping engine errors to field violations.</summary>
    internal async Task<(QueryResult Result, long Exhaustive)> RunAsync(NamespaceView view, QuerySpec spec, string path, CallerKeySource callerKeys, ReadContext read, CancellationToken cancellationToken)
    {
        var query = QueryMapper.ToEngine(spec, view.Meta.Meta.Config);
        var result = await SearchAsync(view, query, path, callerKeys, read, cancellationToken).ConfigureAwait(false);
        return (QueryMapper.ToProto(result), result.Stats.ExhaustiveCount);
    }

    /// <summary>One engine query on the view; <see cref="SearchQueryException"/> becomes a field violation under <paramref name="path"/>.</summary>
    internal async Task<SearchResult> SearchAsync(NamespaceView view, SearchQuery query, string path, CallerKeySource callerKeys, ReadContext read, CancellationToken cancellationToken)
    {
        try
        {
            return await view.SearchAsync(query, callerKeys.DataKeys(read.NamespaceId, Moat.Internal.V1.KeyPurpose.CallerRequest), cancellationToken).ConfigureAwait(false);
        }
        catch (SearchQueryException e)
        {
            var field = e.Field.Length == 0 ? path : $"{path}.{e.Field}";
            var reason = e.Reason == "DIMENSION_MISMATCH" ? ErrorReason.DimensionMismatch : ErrorReason.InvalidArgument;
            throw new MoatValidationException([new FieldViolation(field, e.Message)], reason, null);
        }
        finally
        {
            cache.AfterRead(read.NamespaceId);
        }
    }

    private void Finish(QueryPerformance performance, Clock clock, long computeStart)
    {
        var end = time.GetTimestamp();
        performance.Timing = new ServerTiming
        {
            Total = Duration.FromTimeSpan(time.GetElapsedTime(clock.Start, end)),
            Keys = Duration.FromTimeSpan(time.GetElapsedTime(clock.Start, clock.KeysDone)),
            Storage = Duration.FromTimeSpan(time.GetElapsedTime(clock.KeysDone, clock.StorageDone)),
            Compute = Duration.FromTimeSpan(time.GetElapsedTime(computeStart, end)),
        };
    }

    /// <summary>Timestamps of a read's phases.</summary>
    internal sealed class Clock(long start)
    {
        public long Start { get; } = start;

        public long KeysDone { get; set; } = start;

        public long StorageDone { get; set; } = start;
    }
}
