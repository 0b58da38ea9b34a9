using Microsoft.Extensions.Options;
using Moat.Keys.RootOfTrust;
using Moat.Keys.RootOfTrust.Configuration;

namespace Moat.Keys.NamespaceKeys;

/// <summary>
/// At start, makes sure the region's root key exists in the root of trust (creating it inside the
/// HSM on first start), so a misconfigured token or PIN stops the service before it serves.
/// </summary>
public sealed partial class RootKeyBootstrapper : IHostedService
{
    private readonly IRootKeyProvider _root;
    private readonly string _rootKeyId;
    private readonly ILogger<RootKeyBootstrapper> _logger;

    public RootKeyBootstrapper(IRootKeyProvider root, IOptions<RootOfTrustOptions> options, ILogger<RootKeyBootstrapper> logger)
    {
        _root = root;
        _rootKeyId = options.Value.RootKeyId;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await _root.ExistsAsync(_rootKeyId, cancellationToken))
        {
            await _root.CreateRootKeyAsync(_rootKeyId, cancellationToken);
            LogCreated(_logger, _rootKeyId, _root.Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 6201, Level = LogLevel.Warning, Message = "Created the root key {RootKeyId} in the {Provider} root of trust")]
    private static partial void LogCreated(ILogger logger, string rootKeyId, string provider);
}
