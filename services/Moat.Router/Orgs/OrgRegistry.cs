using System.Text.RegularExpressions;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Router.Persistence;
using Moat.V1;
using Moat.Storage.Records;

namespace Moat.Router.Orgs;

/// <summary>Orgs: created by the offline bootstrap (and later by org administration).</summary>
public sealed partial class OrgRegistry
{
    private readonly JsonRecordStore _records;
    private readonly TimeProvider _time;

    public OrgRegistry(JsonRecordStore records, TimeProvider time)
    {
        _records = records;
        _time = time;
    }

    public async Task<OrgRecord> CreateAsync(string org, string displayName, IReadOnlyList<string> allowedRegions, CancellationToken cancellationToken)
    {
        if (!OrgPattern().IsMatch(org))
        {
            throw new MoatValidationException("org", "must match [a-z0-9][a-z0-9-]{0,62}");
        }

        var record = new OrgRecord(org, displayName, _time.GetUtcNow(), allowedRegions);
        if (!await _records.TryCreateAsync(RouterKeys.Org(org), record, cancellationToken))
        {
            throw new MoatException(StatusCode.AlreadyExists, ErrorReason.InvalidArgument, $"org '{org}' already exists");
        }

        return record;
    }

    public async Task<OrgRecord?> FindAsync(string org, CancellationToken cancellationToken) =>
        (await _records.GetAsync<OrgRecord>(RouterKeys.Org(org), cancellationToken))?.Value;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex OrgPattern();
}
