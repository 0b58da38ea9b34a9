using System.ComponentModel.DataAnnotations;

namespace Moat.Hosting.Configuration;

/// <summary>Who this process is and where it listens. Section <c>Moat</c>.</summary>
public sealed class MoatOptions
{
    public const string Section = "Moat";

    /// <summary>The component name (set by the host, not by config).</summary>
    public string Service { get; set; } = string.Empty;

    /// <summary>The region this instance serves (the router ignores it: it is global).</summary>
    [Required, RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$", ErrorMessage = "Moat:Region must be lowercase letters, digits and '-' (e.g. dev-local, eu-west-1).")]
    public string Region { get; set; } = "dev-local";

    /// <summary>SPIFFE trust domain of the deployment.</summary>
    [Required, RegularExpression("^[a-z0-9][a-z0-9.-]{0,252}$", ErrorMessage = "Moat:TrustDomain must be a DNS-like name (e.g. moat.dev).")]
    public string TrustDomain { get; set; } = DevTrustDomain;

    /// <summary>Address of the internal mTLS listener. Loopback in development.</summary>
    [Required]
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Port of the internal mTLS listener.</summary>
    [Range(1, 65535, ErrorMessage = "Moat:Port must be between 1 and 65535.")]
    public int Port { get; set; }

    /// <summary>
    /// This instance's id within its service and region: stable across restarts (its audit chain
    /// continues under it), distinct between instances running at once.
    /// </summary>
    [Required, RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$", ErrorMessage = "Moat:InstanceId must be lowercase letters, digits and '-'.")]
    public string InstanceId { get; set; } = "0";

    /// <summary>Root directory of this instance's local stores (the embedded default; cloud stores come later).</summary>
    public string DataDir { get; set; } = string.Empty;

    /// <summary>The trust domain <c>./moat dev</c> uses; dev-only features (the dev-file root key) require it.</summary>
    public const string DevTrustDomain = "moat.dev";
}
