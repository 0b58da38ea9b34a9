namespace Moat.Audit;

/// <summary>Versions of the audit on-store formats (docs/audit.md). Readers accept the current and the previous version.</summary>
public static class AuditFormat
{
    /// <summary>Format version of records, batches and registries written now.</summary>
    public const uint CurrentVersion = 1;

    /// <summary>Oldest format version readers accept.</summary>
    public const uint OldestReadableVersion = 1;

    public static bool IsReadable(uint version) => version is >= OldestReadableVersion and <= CurrentVersion;
}
