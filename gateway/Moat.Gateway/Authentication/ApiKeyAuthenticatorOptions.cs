using System.ComponentModel.DataAnnotations;

namespace Moat.Gateway.Authentication;

/// <summary>Section <c>Moat:Gateway:Auth</c>.</summary>
public sealed class ApiKeyAuthenticatorOptions
{
    public const string Section = "Moat:Gateway:Auth";

    /// <summary>How long a router answer about a key is trusted. Short: revocation takes effect within it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Moat:Gateway:Auth:CacheTtl must be between 1 second and 5 minutes.")]
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline of one call to the router.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan RouterDeadline { get; set; } = TimeSpan.FromSeconds(2);
}
