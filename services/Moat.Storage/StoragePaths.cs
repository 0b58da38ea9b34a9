using System.Globalization;

namespace Moat.Storage;

/// <summary>The decided storage layout (DESIGN section 5). Paths use the opaque namespace id, never its name.</summary>
public static class StoragePaths
{
    public static string NamespaceRoot(string nsid) => $"v1/ns/{nsid}/";

    public static string Meta(string nsid) => $"v1/ns/{nsid}/meta";

    public static string Keyring(string nsid, long version) => $"v1/ns/{nsid}/keyring/{D20(version)}";

    public static string WalEntry(string nsid, long sequence) => $"v1/ns/{nsid}/wal/{D20(sequence)}";

    public static string Manifest(string nsid, long version) => $"v1/ns/{nsid}/manifest/{D20(version)}";

    public static string Segment(string nsid, string segmentId) => $"v1/ns/{nsid}/seg/{segmentId}";

    public static string AuditPrefix(string org, string writer) => $"v1/audit/{org}/{writer}/";

    private static string D20(long value) => value.ToString("D20", CultureInfo.InvariantCulture);

    /// <summary>
    /// The positive number a sequence-numbered key names (<c>{prefix}{n:D20}</c>: WAL entries,
    /// manifests, keyrings), or false for any other key.
    /// </summary>
    public static bool TryParseSequenceKey(string key, string prefix, out long number)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(prefix);
        number = 0;
        if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Length != prefix.Length + 20)
        {
            return false;
        }

        var digits = key.AsSpan(prefix.Length);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number > 0;
    }
}
