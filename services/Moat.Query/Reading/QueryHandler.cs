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
        var (view, performance, clock) = await OpenAsync(read, request.Consistency, cancellationToken).ConfigureAwait(false);
        var violations = new Violations();
        var spec = request.Query ?? new QuerySpec();
        QuerySpecValidator.Validate(spec, view.Meta.Meta.Config, "query", violations);
        violations.ThrowIfAny();
        var computeStart = time.GetTimestamp();
        var (result, exhaustive) = Run(view, spec, "query", cancellationToken);
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

        var (view, performance, clock) = await OpenAsync(read, request.Consistency, cancellationToken).ConfigureAwait(false);
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
            var (result, count) = Run(view, request.Queries[i], $"queries[{i}]", cancellationToken);
            exhaustive += count;
            response.Results.Add(result);
        }

        performance.ExhaustiveCount = (ulong)exhaustive;
        Finish(performance, clock, computeStart);
        response.Performance = performance;
        return response;
    }

    /// <summary>The key gate and the view; the performance report filled with what is known so far.</summary>
    internal async Task<(NamespaceView View, QueryPerformance Performance, Clock Clock)> OpenAsync(ReadContext read, Consistency consistency, CancellationToken cancellationToken)
    {
        var clock = new Clock(time.GetTimestamp());
        var effective = consistency == Consistency.Unspecified ? Consistency.Strong : consistency;
        await KeyGateAsync(read, cancellationToken).ConfigureAwait(false);
        clock.KeysDone = time.GetTimestamp();

        var stats = new ReadStats();
        NamespaceView view;
        using (var callerKeys = new CallerKeySource(keys, read.Access))
        {
            view = await cache.GetAsync(read, callerKeys, effective, stats, cancellationToken).ConfigureAwait(false);
        }

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

    private static (QueryResult Result, long Exhaustive) Run(NamespaceView view, QuerySpec spec, string path, CancellationToken cancellationToken)
    {
        var query = QueryMapper.ToEngine(spec, view.Meta.Meta.Config);
        try
        {
            var result = view.Engine.Search(query, cancellationToken);
            return (QueryMapper.ToProto(result), result.Stats.ExhaustiveCount);
        }
        catch (SearchQueryException e)
        {
            var field = e.Field.Length == 0 ? path : $"{path}.{e.Field}";
            var reason = e.Reason == "DIMENSION_MISMATCH" ? ErrorReason.DimensionMismatch : ErrorReason.InvalidArgument;
            throw new MoatValidationException([new FieldViolation(field, e.Message)], reason, null);
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
