using System.ComponentModel.DataAnnotations;

namespace Moat.Gateway.Forwarding;

/// <summary>Section <c>Moat:Gateway:Forwarding</c>.</summary>
public sealed class ForwardingOptions
{
    public const string Section = "Moat:Gateway:Forwarding";

    /// <summary>The largest request message the gateway accepts.</summary>
    [Range(1024, 256 * 1024 * 1024, ErrorMessage = "Moat:Gateway:Forwarding:MaxRequestBytes must be between 1 KiB and 256 MiB.")]
    public int MaxRequestBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>How long a principal token lives (at most 60 s, DESIGN section 4).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Moat:Gateway:Forwarding:PrincipalLifetime must be between 1 and 60 seconds.")]
    public TimeSpan PrincipalLifetime { get; set; } = TimeSpan.FromSeconds(30);
}
