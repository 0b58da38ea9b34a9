using Microsoft.Extensions.Time.Testing;
using Moat.Indexer.Configuration;
using Moat.Indexer.Manifests;
using Moat.Indexer.Racer;
using Moat.Indexer.Snapshots;
using Moat.Internal.V1;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Testing;

namespace Moat.Indexer.Tests;

/// <summary>
/// A refresh answers "anything new?" by probing the next manifest version and WAL sequence instead
/// of listing (every call the reader makes is recorded by a <see cref="CountingStore"/>), and still
/// finds the latest state when the chain moved on, when GC collected what the old snapshot named,
/// and when a manifest is published between its probes.
/// </summary>
public sealed class SnapshotRefreshTests : IDisposable
{
    private readonly TempStore _dir = new();
    private readonly FixedKeys _keys = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_refresh_with_nothing_new_makes_three_probes_no_listing_and_returns_the_same_snapshot()
    {
        var (store, writer, counting, reader) = Open();
        await using var queue = IndexerKit.Queue(store, _keys);
        var random = new Mix64(41);
        await IndexerKit.CommitAsync(queue, random, 5, "a");
        await writer.IndexAllAsync();
        await IndexerKit.CommitAsync(queue, random, 3, "b");
        var first = await reader.SnapshotAsync();
        Assert.Contains(counting.Calls, c => c.Operation == "LIST"); // a first load knows no position
        counting.Reset();

        var second = await RefreshAsync(reader, first);
        Assert.Same(first, second);
        Assert.Equal([new("HEAD", Manifest(2)), new("HEAD", Manifest(1)), new("GET", Wal(9))], counting.Calls);

        // Again and again: the cost stays the same however long the WAL is.
        counting.Reset();
        Assert.Same(first, await RefreshAsync(reader, second));
        Assert.Equal(3, counting.Calls.Count);
    }

    [Fact]
    public async Task Without_a_manifest_a_refresh_lists_only_the_manifest_prefix()
    {
        var (store, _, counting, reader) = Open();
        await using var queue = IndexerKit.Queue(store, _keys);
        await IndexerKit.CommitAsync(queue, new Mix64(42), 4, "a");
        var first = await reader.SnapshotAsync();
        counting.Reset();

        // No manifest version to check, so no proof that none was created and collected: list the
        // (small) manifest prefix; the WAL is still probed.
        Assert.Same(first, await RefreshAsync(reader, first));
        Assert.Equal([new("LIST", ManifestPaths.Prefix(IndexerKit.Nsid)), new("GET", Wal(5))], counting.Calls);
    }

    [Fact]
    public async Task New_entries_and_new_manifests_are_read_exactly_and_in_order_without_listing()
    {
        var (store, writer, counting, reader) = Open();
        await using var queue = IndexerKit.Queue(store, _keys);
        var random = new Mix64(43);
        await IndexerKit.CommitAsync(queue, random, 5, "a");
        await writer.IndexAllAsync();
        await IndexerKit.CommitAsync(queue, random, 3, "b");
        var first = await reader.SnapshotAsync();

        // New WAL entries only: the manifest and the tail are kept, 9 and 10 read by GET.
        counting.Reset();
        await IndexerKit.CommitAsync(queue, random, 2, "c");
        var second = await RefreshAsync(reader, first);
        Assert.Same(first.Manifest, second.Manifest);
        Assert.Same(first.Tail[0], second.Tail[0]);
        Assert.Equal(Sequences(6, 10), second.Tail.Select(e => e.Sequence));
        Assert.Equal([new("HEAD", Manifest(2)), new("HEAD", Manifest(1)), new("GET", Wal(9)), new("GET", Wal(10)), new("GET", Wal(11))], counting.Calls);
        await AssertModelAsync(store, second);

        // One new manifest (watermark 10) and one new entry.
        counting.Reset();
        await writer.IndexAllAsync();
        await IndexerKit.CommitAsync(queue, random, 1, "d");
        var third = await RefreshAsync(reader, second);
        Assert.Equal(2UL, third.Manifest!.Version);
        Assert.Same(first.Segments[0].Reader, third.Segments[0].Reader);
        Assert.Equal([11UL], third.Tail.Select(e => e.Sequence));
        Assert.DoesNotContain(counting.Calls, c => c.Operation == "LIST");
        await AssertModelAsync(store, third);

        // Three manifests ahead: probed one by one.
        counting.Reset();
        for (var i = 0; i < 3; i++)
        {
            await IndexerKit.CommitAsync(queue, random, 2, $"e{i}");
            await writer.IndexAllAsync();
        }

        await IndexerKit.CommitAsync(queue, random, 2, "f");
        var fourth = await RefreshAsync(reader, third);
        Assert.Equal(5UL, fourth.Manifest!.Version);
        Assert.Equal(17UL, fourth.Watermark);
        Assert.Equal(Sequences(18, 19), fourth.Tail.Select(e => e.Sequence));
        Assert.DoesNotContain(counting.Calls, c => c.Operation == "LIST");
        await AssertModelAsync(store, fourth);

        // Six manifests ahead: past a few probes the manifests are listed once, the WAL never.
        counting.Reset();
        for (var i = 0; i < 6; i++)
        {
            await IndexerKit.CommitAsync(queue, random, 1, $"g{i}");
            await writer.IndexAllAsync();
        }

        var fifth = await RefreshAsync(reader, fourth);
        Assert.Equal(11UL, fifth.Manifest!.Version);
        Assert.Empty(fifth.Tail);
        Assert.Equal(25UL, fifth.Version);
        Assert.Equal([new("LIST", ManifestPaths.Prefix(IndexerKit.Nsid))], counting.Calls.Where(c => c.Operation == "LIST"));
        await AssertModelAsync(store, fifth);
    }

    [Fact]
    public async Task A_reader_away_past_the_grace_and_the_retention_finds_the_latest_after_its_manifest_was_collected()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = IndexerKit.Options(o => o.KeepManifests = 2);
        var (store, writer, counting, reader) = Open(options, time);
        await using var queue = IndexerKit.Queue(store, _keys);
        var random = new Mix64(44);
        await IndexerKit.CommitAsync(queue, random, 5, "a");
        await writer.IndexAllAsync();
        await IndexerKit.CommitAsync(queue, random, 3, "b");
        var first = await reader.SnapshotAsync(); // manifest 1 (watermark 5), tail 6..8
        for (var i = 0; i < 3; i++)
        {
            await IndexerKit.CommitAsync(queue, random, 4, $"c{i}");
            await writer.IndexAllAsync(); // manifests 2, 3, 4 (watermark 20)
        }

        await IndexerKit.CommitAsync(queue, random, 2, "d"); // 21, 22
        var model = Workload.Model(await IndexerKit.ReadWalAsync(store, _keys));

        time.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(2, (await writer.Collector.CollectAsync(IndexerKit.Nsid, CancellationToken.None)).ManifestsDeleted); // 1 and 2
        time.Advance(TimeSpan.FromHours(25));
        Assert.Equal(20, (await writer.Collector.CollectAsync(IndexerKit.Nsid, CancellationToken.None)).WalEntriesDeleted); // 1..20
        Assert.Null(await store.HeadAsync(Manifest(1), CancellationToken.None));
        Assert.Null(await store.HeadAsync(Wal(9), CancellationToken.None)); // a probe of the WAL alone would stop at 8

        counting.Reset();
        var refreshed = await RefreshAsync(reader, first);
        Assert.Equal(4UL, refreshed.Manifest!.Version);
        Assert.Equal(Sequences(21, 22), refreshed.Tail.Select(e => e.Sequence));
        Assert.Same(first.Segments[0].Reader, refreshed.Segments[0].Reader);
        IndexerKit.AssertState(model, refreshed);
        Assert.Equal([new("HEAD", Manifest(2)), new("HEAD", Manifest(1)), new("LIST", ManifestPaths.Prefix(IndexerKit.Nsid))], counting.Calls.Take(3));
        Assert.Single(counting.Calls, c => c.Operation == "LIST");
    }

    [Fact]
    public async Task Folded_entries_collected_behind_a_newer_manifest_are_not_mistaken_for_the_end_of_the_WAL()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (store, writer, counting, reader) = Open(IndexerKit.Options(), time);
        await using var queue = IndexerKit.Queue(store, _keys);
        var random = new Mix64(45);
        await IndexerKit.CommitAsync(queue, random, 5, "a");
        await writer.IndexAllAsync();
        await IndexerKit.CommitAsync(queue, random, 3, "b");
        var first = await reader.SnapshotAsync(); // manifest 1 (watermark 5), tail 6..8
        await IndexerKit.CommitAsync(queue, random, 4, "c"); // 9..12
        var model = Workload.Model(await IndexerKit.ReadWalAsync(store, _keys));

        time.Advance(TimeSpan.FromHours(25));
        await writer.IndexAllAsync(); // manifest 2 (watermark 12) supersedes 1 now
        time.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(11, (await writer.Collector.CollectAsync(IndexerKit.Nsid, CancellationToken.None)).WalEntriesDeleted);
        Assert.NotNull(await store.HeadAsync(Manifest(1), CancellationToken.None)); // kept (KeepManifests) ...
        Assert.Null(await store.HeadAsync(Wal(9), CancellationToken.None)); // ... but 9 is gone

        counting.Reset();
        var refreshed = await RefreshAsync(reader, first);
        Assert.Equal(2UL, refreshed.Manifest!.Version);
        Assert.Empty(refreshed.Tail);
        Assert.Equal(12UL, refreshed.Version);
        IndexerKit.AssertState(model, refreshed);
        Assert.DoesNotContain(counting.Calls, c => c.Operation == "LIST");
        Assert.Equal([new("HEAD", Manifest(2)), new("HEAD", Manifest(3)), new("HEAD", Manifest(2)), new("GET", Manifest(2))], counting.Calls.Take(4));
    }

    [Fact]
    public async Task A_manifest_published_between_the_probes_leaves_a_true_snapshot_and_the_next_refresh_finds_it()
    {
        var (store, writer, counting, reader) = Open();
        await using var queue = IndexerKit.Queue(store, _keys);
        var random = new Mix64(46);
        await IndexerKit.CommitAsync(queue, random, 5, "a");
        await writer.IndexAllAsync();
        await IndexerKit.CommitAsync(queue, random, 3, "b");
        var first = await reader.SnapshotAsync();
        await IndexerKit.CommitAsync(queue, random, 2, "c");
        var model = Workload.Model(await IndexerKit.ReadWalAsync(store, _keys));

        // Manifest 2 (watermark 10) appears right after the reader saw it absent.
        counting.AfterNextHead(key => key == Manifest(2), async () => Assert.Equal(1, await writer.IndexAllAsync()));
        var second = await RefreshAsync(reader, first);
        Assert.NotNull(await store.HeadAsync(Manifest(2), CancellationToken.None));
        Assert.Same(first.Manifest, second.Manifest);
        Assert.Equal(Sequences(6, 10), second.Tail.Select(e => e.Sequence));
        IndexerKit.AssertState(model, second);

        counting.Reset();
        var third = await RefreshAsync(reader, second);
        Assert.Equal(2UL, third.Manifest!.Version);
        Assert.Empty(third.Tail);
        IndexerKit.AssertState(model, third);
        Assert.DoesNotContain(counting.Calls, c => c.Operation == "LIST");
    }

    [Fact]
    public async Task A_first_load_still_lists_and_refuses_a_WAL_with_a_gap()
    {
        var (store, _, _, reader) = Open();
        await using var queue = IndexerKit.Queue(store, _keys);
        await IndexerKit.CommitAsync(queue, new Mix64(47), 5, "a");
        await store.DeleteAsync(Wal(3), null, CancellationToken.None); // damage: GC never takes an unfolded entry

        await Assert.ThrowsAsync<SnapshotInconsistentException>(() => reader.SnapshotAsync());
    }

    private (LocalFileSystemStore Store, IndexerInstance Writer, CountingStore Counting, IndexerInstance Reader) Open(IndexerOptions? options = null, TimeProvider? time = null)
    {
        options ??= IndexerKit.Options();
        var store = _dir.Open();
        var counting = new CountingStore(_dir.Open());
        return (store, new IndexerInstance(store, _keys, options, time), counting, new IndexerInstance(counting, _keys, options, time));
    }

    private static Task<NamespaceSnapshot> RefreshAsync(IndexerInstance reader, NamespaceSnapshot previous) =>
        reader.Loader.RefreshAsync(previous, KeyPurpose.CallerRequest, CancellationToken.None);

    private async Task AssertModelAsync(IObjectStore store, NamespaceSnapshot snapshot) =>
        IndexerKit.AssertState(Workload.Model(await IndexerKit.ReadWalAsync(store, _keys)), snapshot);

    private static IEnumerable<ulong> Sequences(int from, int to) => Enumerable.Range(from, to - from + 1).Select(i => (ulong)i);

    private static string Manifest(long version) => StoragePaths.Manifest(IndexerKit.Nsid, version);

    private static string Wal(long sequence) => StoragePaths.WalEntry(IndexerKit.Nsid, sequence);
}
