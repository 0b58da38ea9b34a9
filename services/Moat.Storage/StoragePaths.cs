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
}
