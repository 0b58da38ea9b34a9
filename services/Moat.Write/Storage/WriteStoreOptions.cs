using System.ComponentModel.DataAnnotations;

namespace Moat.Write.Storage;

/// <summary>Section <c>Moat:Write</c>: the region's data store and the write path's limits.</summary>
public sealed class WriteStoreOptions
{
    public const string Section = "Moat:Write";

    /// <summary>The region's data store (the local store in development; the same directory keys writes keyrings to).</summary>
    [Required(ErrorMessage = "Moat:Write:DataStoreDir is required: the write service keeps WAL entries, meta and audit batches in the region's data store.")]
    public string DataStoreDir { get; set; } = string.Empty;

    /// <summary>How long a namespace's meta (config, schema) is cached before it is read again. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Moat:Write:MetaCacheTtl must be between 0 and 60 seconds.")]
    public TimeSpan MetaCacheTtl { get; set; } = TimeSpan.FromSeconds(5);
}
