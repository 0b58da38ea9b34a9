using System.ComponentModel.DataAnnotations;

namespace Moat.Query.Storage;

/// <summary>Section <c>Moat:Query</c>: the region's data store and the read path's caches.</summary>
public sealed class QueryOptions
{
    public const string Section = "Moat:Query";

    /// <summary>The region's data store (the same one the write service writes).</summary>
    [Required(ErrorMessage = "Moat:Query:DataStoreDir is required: the query service reads manifests, segments and WAL entries from the region's data store.")]
    public string DataStoreDir { get; set; } = string.Empty;

    /// <summary>Most bytes of decrypted segments held in memory, all namespaces together (LRU). Default 1 GiB.</summary>
    [Range(16L << 20, 1L << 40, ErrorMessage = "Moat:Query:CacheBytes must be between 16 MiB and 1 TiB.")]
    public long CacheBytes { get; set; } = 1L << 30;

    /// <summary>How stale an eventual read may be before the snapshot is refreshed. Default 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "Moat:Query:EventualMaxStaleness must be between 0 and 5 minutes.")]
    public TimeSpan EventualMaxStaleness { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a namespace's meta (config, schema) is cached. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Moat:Query:MetaCacheTtl must be between 0 and 60 seconds.")]
    public TimeSpan MetaCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Optional local directory caching *sealed* segment objects (never plaintext); empty = no disk cache.</summary>
    public string DiskCacheDir { get; set; } = string.Empty;

    /// <summary>Most bytes of the disk cache. Default 10 GiB.</summary>
    [Range(16L << 20, 1L << 44, ErrorMessage = "Moat:Query:DiskCacheBytes must be between 16 MiB and 16 TiB.")]
    public long DiskCacheBytes { get; set; } = 10L << 30;
}
