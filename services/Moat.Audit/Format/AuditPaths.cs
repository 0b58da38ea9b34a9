using System.Globalization;
using Moat.Storage;

namespace Moat.Audit;

/// <summary>
/// Where audit objects live (DESIGN section 5). Per writer, under <see cref="StoragePaths.AuditPrefix"/>:
/// <c>batch/{seq:D20}</c> (sealed) and <c>digest/{seq:D20}</c> (signed); per org:
/// <c>v1/audit/{org}/checkpoint/{seq:D20}</c> (signed) and <c>v1/audit/{org}/registry</c>.
/// Writer ids always contain a '.', so they never collide with "checkpoint" or "registry".
/// </summary>
public static class AuditPaths
{
    public static string OrgPrefix(string org) => $"v1/audit/{org}/";

    public static string WriterPrefix(string org, string writer) => StoragePaths.AuditPrefix(org, writer);

    public static string BatchPrefix(string org, string writer) => WriterPrefix(org, writer) + "batch/";

    public static string Batch(string org, string writer, long sequence) => BatchPrefix(org, writer) + D20(sequence);

    public static string DigestPrefix(string org, string writer) => WriterPrefix(org, writer) + "digest/";

    public static string Digest(string org, string writer, long sequence) => DigestPrefix(org, writer) + D20(sequence);

    public static string CheckpointPrefix(string org) => OrgPrefix(org) + "checkpoint/";

    public static string Checkpoint(string org, long sequence) => CheckpointPrefix(org) + D20(sequence);

    public static string Registry(string org) => OrgPrefix(org) + "registry";

    /// <summary>The sequence number a D20 key ends with, or null when the last segment is not one.</summary>
    public static long? TrySequence(string key)
    {
        var slash = key.LastIndexOf('/');
        var tail = key.AsSpan(slash + 1);
        return tail.Length == 20 && long.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static string D20(long value) => value.ToString("D20", CultureInfo.InvariantCulture);
}
