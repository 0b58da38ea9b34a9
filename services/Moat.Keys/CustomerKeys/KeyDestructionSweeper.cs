using Microsoft.Extensions.Options;
using Moat.Keys.Audit;
using Moat.Keys.KeyStore;
using Moat.Keys.NamespaceKeys;

namespace Moat.Keys.CustomerKeys;

/// <summary>
/// Completes due destructions: erases every wrapped KEK under the key from the key store, then
/// destroys the key's versions in the root of trust. Runs on the host's TimeProvider, so tests pass
/// the days with a fake clock.
/// </summary>
public sealed partial class KeyDestructionSweeper : BackgroundService
{
    private readonly CustomerKeyManager _keys;
    private readonly NamespaceKekManager _keks;
    private readonly IKeyAuditSink _audit;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<KeyDestructionSweeper> _logger;

    public KeyDestructionSweeper(CustomerKeyManager keys, NamespaceKekManager keks, IKeyAuditSink audit, TimeProvider time, IOptions<KeyStoreOptions> options, ILogger<KeyDestructionSweeper> logger)
    {
        _keys = keys;
        _keks = keks;
        _audit = audit;
        _time = time;
        _interval = options.Value.DestructionSweepInterval;
        _logger = logger;
    }

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var key in await _keys.DueForDestructionAsync(cancellationToken))
        {
            foreach (var dependent in await _keks.DependentsAsync(key.Org, key.Id, cancellationToken))
            {
                await _keks.DestroyAsync(dependent.NamespaceId, cancellationToken);
            }

            await _keys.CompleteDestructionAsync(key.Org, key.Id, cancellationToken);
            await _audit.RecordAsync(new KeyAuditEvent("DestroyKey", "keys", string.Empty, string.Empty, key.Org, string.Empty, key.Id, key.Primary.Version, Moat.Internal.V1.KeyPurpose.Unspecified, KeyAuditOutcome.Allowed, "destruction due"), cancellationToken);
            LogDestroyed(_logger, key.Id);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(_logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Key {KeyId} destroyed: its KEKs are erased and its versions destroyed in the root of trust")]
    private static partial void LogDestroyed(ILogger logger, string keyId);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Error, Message = "A destruction sweep failed; it is retried on the next tick")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
