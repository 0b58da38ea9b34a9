using System.ComponentModel.DataAnnotations;

namespace Moat.Write.Writes;

/// <summary>Section <c>Moat:Write:Limits</c>: what one write may hold (docs/write.md). A write over a limit is INVALID_ARGUMENT and changes nothing.</summary>
public sealed class WriteLimitsOptions
{
    public const string Section = "Moat:Write:Limits";

    /// <summary>Most operations (upserts + patches + deletes) in one write. Default 10,000.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Moat:Write:Limits:MaxOperations must be between 1 and 1,000,000.")]
    public int MaxOperations { get; set; } = 10_000;

    /// <summary>Largest encoded write request. Default 16 MiB.</summary>
    [Range(1024, 256 * 1024 * 1024, ErrorMessage = "Moat:Write:Limits:MaxRequestBytes must be between 1 KiB and 256 MiB.")]
    public int MaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest single attribute value (a string's UTF-8 bytes, or a list's encoded size). Default 64 KiB.</summary>
    [Range(16, 16 * 1024 * 1024, ErrorMessage = "Moat:Write:Limits:MaxAttributeValueBytes must be between 16 bytes and 16 MiB.")]
    public int MaxAttributeValueBytes { get; set; } = 64 * 1024;

    /// <summary>Most attributes on one document. Default 256.</summary>
    [Range(1, 4096, ErrorMessage = "Moat:Write:Limits:MaxAttributesPerDocument must be between 1 and 4096.")]
    public int MaxAttributesPerDocument { get; set; } = 256;

    /// <summary>How long an idempotency key's first result is returned to retries. Default 24 h (the indexer keeps WAL entries that long).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = "Moat:Write:Limits:IdempotencyWindow must be between 1 minute and 7 days.")]
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Most idempotency keys remembered per namespace in one process (oldest forgotten first). Default 100,000.</summary>
    [Range(16, 10_000_000, ErrorMessage = "Moat:Write:Limits:MaxIdempotencyKeysPerNamespace must be between 16 and 10,000,000.")]
    public int MaxIdempotencyKeysPerNamespace { get; set; } = 100_000;
}
