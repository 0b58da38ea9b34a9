using Moat.Storage.ObjectStore;

namespace Moat.Indexer.Tests;

/// <summary>
/// A store decorator that runs a callback once, just before the first create-if-absent put whose key
/// contains <c>/manifest/</c>: a deterministic point to let another writer win the race.
/// </summary>
internal sealed class InterceptingStore(IObjectStore inner) : IObjectStore
{
    private Func<Task>? _beforeManifestPut;

    public string Region => inner.Region;

    /// <summary>Arms the callback for the next manifest put.</summary>
    public void BeforeNextManifestPut(Func<Task> callback) => _beforeManifestPut = callback;

    public Task<StoredObject?> GetAsync(string key, ByteRange? range, CancellationToken cancellationToken) => inner.GetAsync(key, range, cancellationToken);

    public async Task<string> PutAsync(string key, ReadOnlyMemory<byte> data, PutCondition condition, CancellationToken cancellationToken)
    {
        if (key.Contains("/manifest/", StringComparison.Ordinal) && Interlocked.Exchange(ref _beforeManifestPut, null) is { } callback)
        {
            await callback();
        }

        return await inner.PutAsync(key, data, condition, cancellationToken);
    }

    public Task<ObjectMetadata?> HeadAsync(string key, CancellationToken cancellationToken) => inner.HeadAsync(key, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken) => inner.ListAsync(prefix, startAfter, cancellationToken);

    public Task DeleteAsync(string key, string? ifMatchETag, CancellationToken cancellationToken) => inner.DeleteAsync(key, ifMatchETag, cancellationToken);
}
