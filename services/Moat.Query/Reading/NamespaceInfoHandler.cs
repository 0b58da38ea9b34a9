using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.Keys.Client;
using Moat.Query.Snapshots;
using Moat.V1;

namespace Moat.Query.Reading;

/// <summary>GetNamespace (config, schema, size, dates, key) and WarmCache, both from the namespace's view.</summary>
internal sealed class NamespaceInfoHandler(QueryHandler queries, SnapshotCache cache, KeyVaultKeySource keys, ILogger<NamespaceInfoHandler> logger)
{
    public async Task<GetNamespaceResponse> GetAsync(ReadContext read, CancellationToken cancellationToken)
    {
        using var callerKeys = new CallerKeySource(keys, read.Access);
        var (view, _, _) = await queries.OpenAsync(read, callerKeys, Consistency.Strong, cancellationToken).ConfigureAwait(false);
        var meta = view.Meta.Meta;
        var info = new NamespaceInfo
        {
            Name = meta.Name,
            HomeRegion = meta.Region,
            Config = meta.Config,
            Version = view.Version,
            ApproxRowCount = (ulong)view.Engine.LiveCount,
            ApproxLogicalBytes = (ulong)(view.StoredBytes + view.Store.Tail.Sum(e => (long)e.CalculateSize())),
            UnindexedBytes = (ulong)view.Store.Tail.Sum(e => (long)e.CalculateSize()),
            CreatedAt = meta.CreatedAt,
            Encryption = new NamespaceEncryption { KeyId = meta.KeyId },
        };
        if (view.Store.Tail.Count > 0)
        {
            info.LastWriteAt = view.Store.Tail[^1].CommittedAt;
        }
        else if (view.Store.Manifest is { } manifest && manifest.Segments.Count > 0)
        {
            info.LastWriteAt = view.Store.Manifest.CreatedAt;
        }

        return new GetNamespaceResponse { Info = info };
    }

    /// <summary>Starts loading the namespace whole in the background (after this caller's key gate), unless it is already in memory.</summary>
    public async Task<WarmCacheResponse> WarmAsync(ReadContext read, CancellationToken cancellationToken)
    {
        var hot = cache.IsHot(read.NamespaceId);
        if (hot)
        {
            return new WarmCacheResponse { Temperature = CacheTemperature.Hot, Started = false };
        }

        // The caller's principal lives ≤ 60 s: load now, in the background, while it is valid.
        _ = Task.Run(async () =>
        {
            try
            {
                using var callerKeys = new CallerKeySource(keys, read.Access);
                var (view, _, _) = await queries.OpenAsync(read, callerKeys, Consistency.Eventual, CancellationToken.None).ConfigureAwait(false);
                await view.LoadAllAsync(callerKeys.DataKeys(read.NamespaceId, KeyPurpose.CallerRequest), CancellationToken.None).ConfigureAwait(false);
                cache.AfterRead(read.NamespaceId);
            }
            catch (MoatException e)
            {
                NamespaceInfoLog.WarmFailed(logger, read.NamespaceId, e.Reason.ToString());
            }
        }, CancellationToken.None);
        await Task.Yield();
        return new WarmCacheResponse { Temperature = CacheTemperature.Cold, Started = true };
    }
}

internal static partial class NamespaceInfoLog
{
    [LoggerMessage(EventId = 4111, Level = LogLevel.Information, Message = "Warming namespace {NamespaceId} failed: {Reason}")]
    public static partial void WarmFailed(ILogger logger, string namespaceId, string reason);
}
