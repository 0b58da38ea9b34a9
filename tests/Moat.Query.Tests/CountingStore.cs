using Moat.Storage.ObjectStore;

namespace Moat.Query.Tests;

/// <summary>Counts what reads take from the store.</summary>
internal sealed class CountingStore(IObjectStore inner) : IObjectStore
{
    private long _bytes;
    private int _gets;

    public long BytesRead => Interlocked.Read(ref _bytes);

    public int Gets => _gets;

    public string Region => inner.Region;

    public async Task<StoredObject?> GetAsync(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        var stored = await inner.GetAsync(key, range, cancellationToken);
        Interlocked.Add(ref _bytes, stored?.Data.Length ?? 0);
        Interlocked.Increment(ref _gets);
        return stored;
    }

    public Task<string> PutAsync(string key, ReadOnlyMemory<byte> data, PutCondition condition, CancellationToken cancellationToken) => inner.PutAsync(key, data, condition, cancellationToken);

    public Task<ObjectMetadata?> HeadAsync(string key, CancellationToken cancellationToken) => inner.HeadAsync(key, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken) => inner.ListAsync(prefix, startAfter, cancellationToken);

    public Task DeleteAsync(string key, string? ifMatchETag, CancellationToken cancellationToken) => inner.DeleteAsync(key, ifMatchETag, cancellationToken);
}
