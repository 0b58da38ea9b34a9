using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Router.Persistence;
using Moat.V1;
using Moat.Storage.Records;

namespace Moat.Router.Namespaces;

/// <summary>
/// (org, namespace name) → opaque id + home region, created once: create-if-absent on the store,
/// so racing routers agree on one id (DESIGN section 7). Metadata only.
/// </summary>
public sealed partial class NamespaceDirectory
{
    private readonly JsonRecordStore _records;
    private readonly TimeProvider _time;

    public NamespaceDirectory(JsonRecordStore records, TimeProvider time)
    {
        _records = records;
        _time = time;
    }

    public async Task<(DirectoryRecord Record, bool Created)> ReserveAsync(string org, string name, string region, string keyId, CancellationToken cancellationToken)
    {
        Validate(org, name, region);
        var key = RouterKeys.Directory(org, name);
        while (true)
        {
            if (await _records.GetAsync<DirectoryRecord>(key, cancellationToken) is { } existing)
            {
                return (existing.Value, false);
            }

            var record = new DirectoryRecord(org, name, NewNamespaceId(), region, keyId, _time.GetUtcNow());
            if (await _records.TryCreateAsync(key, record, cancellationToken))
            {
                return (record, true);
            }

            // Another router won the race: the loop returns its record.
        }
    }

    public async Task<DirectoryRecord> ResolveAsync(string org, string name, CancellationToken cancellationToken)
    {
        Validate(org, name, "-");
        return (await _records.GetAsync<DirectoryRecord>(RouterKeys.Directory(org, name), cancellationToken))?.Value
            ?? throw new MoatException(StatusCode.NotFound, ErrorReason.NamespaceNotFound, "no such namespace", new Dictionary<string, string> { ["namespace"] = name });
    }

    /// <summary>Frees the name for reuse (a deleted namespace's name gets a new id next time).</summary>
    public async Task<bool> ReleaseAsync(string org, string name, string namespaceId, CancellationToken cancellationToken)
    {
        var key = RouterKeys.Directory(org, name);
        var found = await _records.GetAsync<DirectoryRecord>(key, cancellationToken);
        return found is { } entry && entry.Value.NamespaceId == namespaceId && await _records.TryDeleteAsync(key, entry.ETag, cancellationToken);
    }

    public async Task<IReadOnlyList<DirectoryRecord>> ListAsync(string org, string prefix, CancellationToken cancellationToken)
    {
        var list = new List<DirectoryRecord>();
        await foreach (var record in _records.ListAsync<DirectoryRecord>(RouterKeys.DirectoryPrefix(org), cancellationToken))
        {
            if (record.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                list.Add(record);
            }
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    private static void Validate(string org, string name, string region)
    {
        var violations = new List<FieldViolation>();
        if (org.Length == 0)
        {
            violations.Add(new FieldViolation("org", "required"));
        }

        if (!NamePattern().IsMatch(name))
        {
            violations.Add(new FieldViolation("namespace_name", "must match [A-Za-z0-9-_.]{1,128}"));
        }

        if (region.Length == 0)
        {
            violations.Add(new FieldViolation("region", "required"));
        }

        if (violations.Count > 0)
        {
            throw new MoatValidationException(violations);
        }
    }

    private static string NewNamespaceId() => "ns_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex NamePattern();
}
