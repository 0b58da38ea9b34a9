using Moat.Query.Storage;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.Testing;

namespace Moat.Query.Tests;

/// <summary>
/// The query service's local disk cache of sealed segments over a real local object store: range
/// reads (the cold path) miss to the store and fill the cache behind them, then are served from the
/// cached file byte for byte; the disk holds exactly the sealed object, never plaintext.
/// </summary>
public sealed class SealedSegmentDiskCacheTests : IDisposable
{
    private const string Nsid = "nsdisk01";
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("moat-diskcache-").FullName;
    private readonly LocalFileSystemStore _store;

    public SealedSegmentDiskCacheTests() => _store = new LocalFileSystemStore(Path.Combine(_root, "store"), "test-region");

    public void Dispose()
    {
        _store.Dispose();
        System.IO.Directory.Delete(_root, recursive: true);
    }

    private async Task<(string Key, byte[] Sealed, byte[] Plaintext)> PutSegmentAsync(string id, int length)
    {
        var rng = new TestRandom(11);
        var plaintext = new byte[length];
        for (var i = 0; i < length; i++)
        {
            plaintext[i] = (byte)rng.Next(256);
        }

        var key = StoragePaths.Segment(Nsid, id);
        var sealedBytes = SealedObjectWriter.Seal(plaintext, key, 1, 1, new byte[32], 16 * 1024);
        await _store.PutAsync(key, sealedBytes, PutCondition.None, CancellationToken.None);
        return (key, sealedBytes, plaintext);
    }

    [Fact]
    public async Task A_ranged_miss_fills_the_cache_and_later_ranges_come_from_the_file()
    {
        var (key, sealedBytes, plaintext) = await PutSegmentAsync("0001-aa", 300_000);
        var counting = new CountingStore(_store);
        var cacheDir = Path.Combine(_root, "cache");
        var cache = new SealedSegmentDiskCache(counting, cacheDir, 64L << 20);

        var first = await cache.GetAsync(key, new ByteRange(1000, 500), CancellationToken.None);
        Assert.Equal(sealedBytes.AsSpan(1000, 500).ToArray(), first!.Data.ToArray());
        Assert.Equal(0, cache.Hits);

        // The background fill lands; then ranges are hits, served without the store.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (cache.Hits == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            await cache.GetAsync(key, new ByteRange(0, 16), CancellationToken.None);
        }

        Assert.True(cache.Hits > 0, "the background fill never served a range");
        var gets = counting.Gets;
        var rng = new TestRandom(5);
        for (var i = 0; i < 50; i++)
        {
            var offset = rng.Next(sealedBytes.Length);
            var length = 1 + rng.Next(Math.Min(40_000, sealedBytes.Length - offset));
            var got = await cache.GetAsync(key, new ByteRange(offset, length), CancellationToken.None);
            Assert.Equal(sealedBytes.AsSpan(offset, length).ToArray(), got!.Data.ToArray());
        }

        Assert.Equal(gets, counting.Gets);

        // What the disk holds is the sealed object exactly: no plaintext run of it appears there.
        var files = System.IO.Directory.GetFiles(cacheDir);
        var file = Assert.Single(files);
        var onDisk = await File.ReadAllBytesAsync(file);
        Assert.Equal(sealedBytes, onDisk);
        Assert.True(onDisk.AsSpan().IndexOf(plaintext.AsSpan(100_000, 64)) < 0);

        // A key event forgets the namespace: the file goes, the next range misses again.
        cache.ForgetNamespace(Nsid);
        Assert.Empty(System.IO.Directory.GetFiles(cacheDir));
        var hits = cache.Hits;
        await cache.GetAsync(key, new ByteRange(0, 16), CancellationToken.None);
        Assert.Equal(hits, cache.Hits);
    }

    [Fact]
    public async Task Objects_other_than_segments_pass_through_uncached()
    {
        var key = StoragePaths.Meta(Nsid);
        await _store.PutAsync(key, new byte[] { 1, 2, 3 }, PutCondition.None, CancellationToken.None);
        var cacheDir = Path.Combine(_root, "cache2");
        var cache = new SealedSegmentDiskCache(_store, cacheDir, 64L << 20);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(new byte[] { 1, 2, 3 }, (await cache.GetAsync(key, null, CancellationToken.None))!.Data.ToArray());
        }

        Assert.Equal(0, cache.Hits);
        Assert.Empty(System.IO.Directory.GetFiles(cacheDir));
    }
}
