using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Moat.Hosting.Tls;

/// <summary>
/// This process's SVID, reloaded from disk when the files change, so renewed certificates take
/// effect without a restart. Readers take <see cref="Current"/> per connection.
/// </summary>
public sealed partial class CertificateHolder : IDisposable
{
    private readonly MoatTlsOptions _options;
    private readonly TrustBundle _trust;
    private readonly ILogger _logger;
    private readonly Timer _timer;
    private DateTime _loadedStamp;
    private Loaded _current;

    public CertificateHolder(MoatTlsOptions options, TrustBundle trust, ILogger<CertificateHolder> logger)
    {
        _options = options;
        _trust = trust;
        _logger = logger;
        _current = Load();
        _loadedStamp = Stamp();
        _timer = new Timer(_ => Reload(), null, options.ReloadInterval, options.ReloadInterval);
    }

    /// <summary>The certificate with its private key.</summary>
    public X509Certificate2 Certificate => _current.Certificate;

    /// <summary>The certificate and its intermediate, as sent in a handshake.</summary>
    public SslStreamCertificateContext Context => _current.Context;

    public void Dispose()
    {
        _timer.Dispose();
    }

    private void Reload()
    {
        try
        {
            var stamp = Stamp();
            if (stamp == _loadedStamp)
            {
                return;
            }

            _current = Load();
            _loadedStamp = stamp;
            LogReloaded(_logger, _options.CertFile, _current.Certificate.NotAfter);
        }
        catch (MoatStartupException e)
        {
            // Keep serving with the previous certificate; a half-written renewal is retried next tick.
            LogReloadFailed(_logger, _options.CertFile, e.Message);
        }
    }

    private DateTime Stamp() =>
        new[] { File.GetLastWriteTimeUtc(_options.CertFile), File.GetLastWriteTimeUtc(_options.KeyFile) }.Max();

    private Loaded Load()
    {
        var certificate = PemFiles.LoadCertificateWithKey(_options.CertFile, _options.KeyFile);
        var intermediates = new X509Certificate2Collection { _trust.ServiceCa };
        if (_trust.OperatorCa is not null)
        {
            intermediates.Add(_trust.OperatorCa);
        }

        return new Loaded(certificate, SslStreamCertificateContext.Create(certificate, intermediates, offline: true));
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Reloaded certificate {File}, valid until {NotAfter:o}")]
    private static partial void LogReloaded(ILogger logger, string file, DateTime notAfter);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Certificate reload from {File} failed, keeping the current one: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string file, string reason);

    private sealed record Loaded(X509Certificate2 Certificate, SslStreamCertificateContext Context);
}
