using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Moat.Storage.ObjectStore;

namespace Moat.Query.Storage;

/// <summary>
/// An optional local disk cache in front of the region store for segment objects only: they are
/// immutable, and what is cached is the *sealed* object as stored (still encrypted under the
/// namespace's DEK), so the disk holds nothing the object store does not. Ranged reads (the query
/// service's cold path) are served from the cached file when present; on a miss they go to the
/// store and the whole object is fetched once in the background to fill the cache. Bounded by
/// bytes, least recently used first out. Deletes pass through and drop the cached copy.
/// </summary>
internal sealed class SealedSegmentDiskCache : IObjectStore
{
    private readonly IObjectStore _inner;
    private readonly string _directory;
    private readonly long _maxBytes;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _filling = new(StringComparer.Ordinal);
    private long _bytes;
    private long _clock;
    private long _hits;

    public SealedSegmentDiskCache(IObjectStore inner, string directory, long maxBytes)
    {
        _inner = inner;
        _directory = directory;
        _maxBytes = maxBytes;
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Files of an earlier run are not trusted to be complete: start empty.
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            File.Delete(file);
        }
    }

    public string Region => _inner.Region;

    /// <summary>Reads served from the disk cache (for the cache-temperature report).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    public async Task<StoredObject?> GetAsync(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        if (!IsSegment(key))
        {
            return await _inner.GetAsync(key, range, cancellationToken).ConfigureAwait(false);
        }

        if (_entries.TryGetValue(key, out var entry))
        {
            entry.LastUse = Interlocked.Increment(ref _clock);
            try
            {
                var cached = range is { } r ? await ReadRangeAsync(entry, key, r, cancellationToken).ConfigureAwait(false)
                    : new StoredObject(entry.Metadata, await File.ReadAllBytesAsync(entry.Path, cancellationToken).ConfigureAwait(false), 0);
                Interlocked.Increment(ref _hits);
                return cached;
            }
            catch (IOException)
            {
                Forget(key);
            }
        }

        var stored = await _inner.GetAsync(key, range, cancellationToken).ConfigureAwait(false);
        if (stored is not null && range is null)
        {
            await AddAsync(key, stored, cancellationToken).ConfigureAwait(false);
        }
        else if (stored is not null && stored.Metadata.Length <= _maxBytes / 4 && _filling.TryAdd(key, 0))
        {
            // A range read of a segment not on disk yet: fetch it whole behind the query, once, so
            // the next cold start of this process reads it locally.
            _ = Task.Run(() => FillAsync(key), CancellationToken.None);
        }

        return stored;
    }

    public Task<string> PutAsync(string key, ReadOnlyMemory<byte> data, PutCondition condition, CancellationToken cancellationToken) =>
        _inner.PutAsync(key, data, condition, cancellationToken);

    public Task<ObjectMetadata?> HeadAsync(string key, CancellationToken cancellationToken) => _inner.HeadAsync(key, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken) =>
        _inner.ListAsync(prefix, startAfter, cancellationToken);

    public async Task DeleteAsync(string key, string? ifMatchETag, CancellationToken cancellationToken)
    {
        Forget(key);
        await _inner.DeleteAsync(key, ifMatchETag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops every cached object of a namespace (its key became unusable, or it was deleted).</summary>
    public void ForgetNamespace(string namespaceId)
    {
        var prefix = $"v1/ns/{namespaceId}/";
        foreach (var key in _entries.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                Forget(key);
            }
        }
    }

    private static bool IsSegment(string key) => key.Contains("/seg/", StringComparison.Ordinal);

    private static async Task<StoredObject> ReadRangeAsync(Entry entry, string key, ByteRange range, CancellationToken cancellationToken)
    {
        var (offset, count) = range.Resolve(key, entry.Length);
        var bytes = new byte[count];
        using var handle = File.OpenHandle(entry.Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        var read = 0;
        while (read < count)
        {
            var n = await RandomAccess.ReadAsync(handle, bytes.AsMemory(read), offset + read, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException($"The cached copy of '{key}' is shorter than recorded.");
            }

            read += n;
        }

        return new StoredObject(entry.Metadata, bytes, offset);
    }

    private async Task FillAsync(string key)
    {
        try
        {
            if (_entries.ContainsKey(key))
            {
                return;
            }

            var stored = await _inner.GetAsync(key, null, CancellationToken.None).ConfigureAwait(false);
            if (stored is not null)
            {
                await AddAsync(key, stored, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or ObjectStoreException or OperationCanceledException)
        {
            // Best effort: the cache fills again on the next miss.
        }
        finally
        {
            _filling.TryRemove(key, out _);
        }
    }

    private async Task AddAsync(string key, StoredObject stored, CancellationToken cancellationToken)
    {
        if (stored.Data.Length > _maxBytes / 4)
        {
            return;
        }

        var path = Path.Combine(_directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        await File.WriteAllBytesAsync(temp, stored.Data, cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
        var entry = new Entry(path, stored.Metadata, stored.Data.Length) { LastUse = Interlocked.Increment(ref _clock) };
        if (_entries.TryAdd(key, entry))
        {
            Interlocked.Add(ref _bytes, entry.Length);
            Trim();
        }
    }

    private void Trim()
    {
        while (Interlocked.Read(ref _bytes) > _maxBytes)
        {
            var oldest = _entries.OrderBy(e => e.Value.LastUse).Select(e => e.Key).FirstOrDefault();
            if (oldest is null)
            {
                return;
            }

            Forget(oldest);
        }
    }

    private void Forget(string key)
    {
        if (_entries.TryRemove(key, out var entry))
        {
            Interlocked.Add(ref _bytes, -entry.Length);
            try
            {
                File.Delete(entry.Path);
            }
            catch (IOException)
            {
                // Best effort: the file is sealed data and unreferenced now.
            }
        }
    }

    private sealed class Entry(string path, ObjectMetadata metadata, long length)
    {
        public string Path { get; } = path;

        public ObjectMetadata Metadata { get; } = metadata;

        public long Length { get; } = length;

        public long LastUse { get; set; }
    }
}
