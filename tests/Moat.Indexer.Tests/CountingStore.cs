using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Moat.Storage.ObjectStore;

namespace Moat.Testing;

/// <summary>One store call: its operation (GET, HEAD, PUT, LIST, DELETE) and key (a LIST: its prefix).</summary>
internal readonly record struct StoreCall(string Operation, string Key);

/// <summary>
/// A store decorator that records every call, in order, and the bytes GETs returned, and can run a
/// callback right after a HEAD (a deterministic point to let another writer act between a reader's
/// probes). Shared by the Indexer and Query suites (linked).
/// </summary>
internal sealed class CountingStore(IObjectStore inner) : IObjectStore
{
    private readonly ConcurrentQueue<StoreCall> _calls = new();
    private Func<string, Task>? _afterHead;
    private long _bytesRead;

    public string Region => inner.Region;

    public IReadOnlyList<StoreCall> Calls => [.. _calls];

    public int Count(string operation) => _calls.Count(c => c.Operation == operation);

    /// <summary>GET calls so far.</summary>
    public int Gets => Count("GET");

    /// <summary>Bytes the GETs returned.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public void Reset() => _calls.Clear();

    /// <summary>Arms a callback run once, after the next HEAD of a key for which <paramref name="when"/> holds.</summary>
    public void AfterNextHead(Func<string, bool> when, Func<Task> callback) =>
        _afterHead = key =>
        {
            if (!when(key))
            {
                return Task.CompletedTask;
            }

            _afterHead = null;
            return callback();
        };

    public async Task<StoredObject?> GetAsync(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        _calls.Enqueue(new("GET", key));
        var stored = await inner.GetAsync(key, range, cancellationToken);
        Interlocked.Add(ref _bytesRead, stored?.Data.Length ?? 0);
        return stored;
    }

    public Task<string> PutAsync(string key, ReadOnlyMemory<byte> data, PutCondition condition, CancellationToken cancellationToken)
    {
        _calls.Enqueue(new("PUT", key));
        return inner.PutAsync(key, data, condition, cancellationToken);
    }

    public async Task<ObjectMetadata?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        _calls.Enqueue(new("HEAD", key));
        var result = await inner.HeadAsync(key, cancellationToken);
        if (_afterHead is { } callback)
        {
            await callback(key);
        }

        return result;
    }

    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, string? startAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _calls.Enqueue(new("LIST", prefix));
        await foreach (var item in inner.ListAsync(prefix, startAfter, cancellationToken))
        {
            yield return item;
        }
    }

    public Task DeleteAsync(string key, string? ifMatchETag, CancellationToken cancellationToken)
    {
        _calls.Enqueue(new("DELETE", key));
        return inner.DeleteAsync(key, ifMatchETag, cancellationToken);
    }
}
