using Google.Protobuf.WellKnownTypes;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.Keys.Client;
using Moat.Query.Mapping;
using Moat.Query.Validation;
using Moat.Search;
using Moat.V1;

namespace Moat.Query.Reading;

/// <summary>
/// MeasureRecall: runs each query through the ANN path and exhaustively on the same snapshot and
/// filter, and reports the share of the exhaustive top_k that ANN found. Without given queries it
/// samples vectors of the namespace itself (seeded by the namespace version, so a repeat is comparable).
/// </summary>
internal sealed class RecallMeasurer(QueryHandler queries, KeyVaultKeySource keys, TimeProvider time)
{
    public async Task<MeasureRecallResponse> MeasureAsync(ReadContext read, MeasureRecallRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var violations = new Violations();
        if (request.SampleCount > 100)
        {
            violations.Add("sample_count", "must be between 1 and 100 (0 = 20)");
        }

        if (request.TopK > 1000)
        {
            violations.Add("top_k", "must be between 1 and 1000 (0 = 10)");
        }

        if (request.Queries.Count > 100)
        {
            violations.Add("queries", "at most 100 queries");
        }

        violations.ThrowIfAny();
        using var callerKeys = new CallerKeySource(keys, read.Access);
        var (view, _, _) = await queries.OpenAsync(read, callerKeys, Consistency.Strong, cancellationToken).ConfigureAwait(false);

        // A diagnostic that scans exhaustively: bring the segments in whole, then run in memory.
        await view.LoadAllAsync(callerKeys.DataKeys(read.NamespaceId, KeyPurpose.CallerRequest), cancellationToken).ConfigureAwait(false);
        var schema = view.Meta.Meta.Config;
        if (!schema.Vectors.ContainsKey(request.Column))
        {
            violations.Add("column", request.Column.Length == 0 ? "required" : $"unknown vector column '{request.Column}'");
        }

        for (var i = 0; i < request.Queries.Count; i++)
        {
            QuerySpecValidator.Validate(new QuerySpec { RankBy = new RankBy { Vector = new VectorRank { Column = request.Column, Vector = request.Queries[i] } } }, schema, $"queries[{i}]", violations);
        }

        if (request.Filter is { } f)
        {
            FilterValidator.Validate(f, schema, "filter", violations);
        }

        violations.ThrowIfAny();
        var topK = (int)(request.TopK == 0 ? 10 : request.TopK);
        var filter = request.Filter is { } given ? QueryMapper.ToEngine(given, schema) : null;
        var vectors = request.Queries.Count > 0
            ? request.Queries.Select(QueryMapper.VectorValues).ToList()
            : Sample(view.Engine, request.Column, (int)(request.SampleCount == 0 ? 20 : request.SampleCount), (int)(view.Version % int.MaxValue), cancellationToken);

        var response = new MeasureRecallResponse();
        double sum = 0;
        foreach (var vector in vectors)
        {
            var ann = view.Engine.Search(new SearchQuery { RankBy = new VectorRanking(request.Column, vector), Filter = filter, TopK = topK, Projection = Moat.Search.Projection.IdsOnly }, cancellationToken);
            var exact = view.Engine.Search(new SearchQuery { RankBy = new VectorRanking(request.Column, vector, Exact: true), Filter = filter, TopK = topK, Projection = Moat.Search.Projection.IdsOnly }, cancellationToken);
            var truth = exact.Hits.Select(h => h.Id).ToHashSet();
            var found = ann.Hits.Count(h => truth.Contains(h.Id));
            var recall = truth.Count == 0 ? 1.0 : (double)found / truth.Count;
            sum += recall;
            response.Queries.Add(new QueryRecall { Recall = recall, AnnCount = (uint)ann.Hits.Count, ExhaustiveCount = (uint)exact.Hits.Count });
        }

        response.AvgRecall = vectors.Count == 0 ? 1.0 : sum / vectors.Count;
        response.Timing = new ServerTiming { Total = Duration.FromTimeSpan(time.GetElapsedTime(started)) };
        return response;
    }

    private static List<float[]> Sample(SearchSnapshot engine, string column, int count, int seed, CancellationToken cancellationToken)
    {
        if (engine.LiveCount == 0)
        {
            throw new MoatException(Grpc.Core.StatusCode.FailedPrecondition, ErrorReason.InvalidArgument, "the namespace has no documents to sample queries from; give queries");
        }

        // Evenly spaced over the id order: deterministic for a namespace version, spread over the whole id space.
        var all = engine.Search(new SearchQuery { TopK = SearchQuery.MaxTopK, Projection = new Moat.Search.Projection { ExcludeAllAttributes = true, IncludeVectors = [column] } }, cancellationToken);
        var withVector = all.Hits.Where(h => h.Vectors.ContainsKey(column)).ToList();
        var stride = Math.Max(1, withVector.Count / Math.Max(1, count));
        var offset = withVector.Count == 0 ? 0 : seed % stride;
        return withVector.Where((_, i) => i % stride == offset).Take(count).Select(h => h.Vectors[column]).ToList();
    }
}
