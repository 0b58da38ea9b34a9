using System.ComponentModel.DataAnnotations;

namespace Moat.Keys.KeyStore;

/// <summary>Section <c>Moat:Keys</c>: where the keys service keeps key metadata and namespace keyrings.</summary>
public sealed class KeyStoreOptions
{
    public const string Section = "Moat:Keys";

    /// <summary>The key store: wrapped KEKs and key metadata, a directory of its own (versioning off in the cloud).</summary>
    [Required(ErrorMessage = "Moat:Keys:KeyStoreDir is required: the keys service keeps wrapped KEKs there.")]
    public string KeyStoreDir { get; set; } = string.Empty;

    /// <summary>The region's data store, where namespace keyrings live beside the data they protect.</summary>
    [Required(ErrorMessage = "Moat:Keys:DataStoreDir is required: namespace keyrings are written to the region's data store.")]
    public string DataStoreDir { get; set; } = string.Empty;

    /// <summary>How long a service may cache a key it obtained (default 60 s, at most 5 min).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Moat:Keys:KeyCacheTtl must be between 1 second and 5 minutes.")]
    public TimeSpan KeyCacheTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often pending destructions are checked.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DestructionSweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}
