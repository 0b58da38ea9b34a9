using System.ComponentModel.DataAnnotations;

namespace Moat.Keys.Client;

/// <summary>Section <c>Moat:KeyCache</c>.</summary>
public sealed class KeyCacheOptions
{
    public const string Section = "Moat:KeyCache";

    /// <summary>How long an unwrapped key is kept, and the longest a key's state goes unchecked (default 60 s, at most 5 min).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Moat:KeyCache:Ttl must be between 1 second and 5 minutes.")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(60);
}
