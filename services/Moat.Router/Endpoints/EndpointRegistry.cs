using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Router.Persistence;
using Moat.V1;
using Moat.Storage.Records;

namespace Moat.Router.Endpoints;

/// <summary>The private endpoints registered for each org (DESIGN section 8).</summary>
public sealed class EndpointRegistry
{
    private readonly JsonRecordStore _records;
    private readonly TimeProvider _time;

    public EndpointRegistry(JsonRecordStore records, TimeProvider time)
    {
        _records = records;
        _time = time;
    }

    public async Task<bool> IsRegisteredAsync(string org, string endpointId, CancellationToken cancellationToken) =>
        endpointId.Length > 0 && await _records.GetAsync<EndpointRecord>(RouterKeys.Endpoint(org, endpointId), cancellationToken) is not null;

    public async Task<EndpointRecord> RegisterAsync(string org, string endpointId, EndpointKind kind, string region, string displayName, string createdBy, CancellationToken cancellationToken)
    {
        var violations = new List<FieldViolation>();
        if (endpointId.Length is 0 or > 256)
        {
            violations.Add(new FieldViolation("endpoint_id", "required, at most 256 characters"));
        }

        if (kind == EndpointKind.Unspecified)
        {
            violations.Add(new FieldViolation("kind", "required"));
        }

        if (region.Length == 0)
        {
            violations.Add(new FieldViolation("region", "required"));
        }

        if (violations.Count > 0)
        {
            throw new MoatValidationException(violations);
        }

        var record = new EndpointRecord(org, endpointId, kind.ToString(), region, displayName, _time.GetUtcNow(), createdBy);
        if (!await _records.TryCreateAsync(RouterKeys.Endpoint(org, endpointId), record, cancellationToken))
        {
            throw new MoatException(StatusCode.AlreadyExists, ErrorReason.EndpointAlreadyRegistered, $"endpoint '{endpointId}' is already registered");
        }

        return record;
    }

    public async Task<IReadOnlyList<EndpointRecord>> ListAsync(string org, CancellationToken cancellationToken)
    {
        var list = new List<EndpointRecord>();
        await foreach (var endpoint in _records.ListAsync<EndpointRecord>(RouterKeys.Endpoints(org), cancellationToken))
        {
            list.Add(endpoint);
        }

        return list;
    }

    public async Task RemoveAsync(string org, string endpointId, CancellationToken cancellationToken)
    {
        var found = await _records.GetAsync<EndpointRecord>(RouterKeys.Endpoint(org, endpointId), cancellationToken)
            ?? throw new MoatException(StatusCode.NotFound, ErrorReason.EndpointNotFound, $"endpoint '{endpointId}' is not registered");
        await _records.TryDeleteAsync(RouterKeys.Endpoint(org, endpointId), found.ETag, cancellationToken);
    }
}
