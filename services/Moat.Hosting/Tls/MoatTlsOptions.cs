using System.ComponentModel.DataAnnotations;

namespace Moat.Hosting.Tls;

/// <summary>The certificate files of this process (section <c>Moat:Tls</c>). All PEM.</summary>
public sealed class MoatTlsOptions
{
    public const string Section = "Moat:Tls";

    /// <summary>This process's SVID certificate (leaf).</summary>
    [Required(ErrorMessage = "Moat:Tls:CertFile is required: a service without its certificate does not start.")]
    public string CertFile { get; set; } = string.Empty;

    /// <summary>The SVID's private key (mode 0600).</summary>
    [Required(ErrorMessage = "Moat:Tls:KeyFile is required.")]
    public string KeyFile { get; set; } = string.Empty;

    /// <summary>The deployment's root CA: the only trust anchor.</summary>
    [Required(ErrorMessage = "Moat:Tls:RootCaFile is required.")]
    public string RootCaFile { get; set; } = string.Empty;

    /// <summary>The service intermediate CA: the only issuer of service identities.</summary>
    [Required(ErrorMessage = "Moat:Tls:ServiceCaFile is required.")]
    public string ServiceCaFile { get; set; } = string.Empty;

    /// <summary>The operator intermediate CA: the only issuer of operator identities (optional: without it no operator is accepted).</summary>
    public string? OperatorCaFile { get; set; }

    /// <summary>How often the certificate files are checked for a renewed certificate.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(30);
}
