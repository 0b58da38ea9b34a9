using Google.Protobuf.WellKnownTypes;
using Moat.Internal.V1;
using Moat.Segments.Wal;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.Wal;

namespace Moat.Bench.Write;

/// <summary>
/// The durable write path as the write service runs it: <see cref="GroupCommitQueue"/> (default
/// options unless the window is given) over <see cref="ResilientObjectStore"/> (default options) over a
/// <see cref="LocalFileSystemStore"/>, sealing with an in-process DEK.
/// </summary>
internal sealed class MoatWritePath : IAsyncDisposable
{
    private readonly string _root;
    private readonly string _namespaceId;
    private readonly LocalFileSystemStore _local;
    private readonly GroupCommitQueue _queue;

    public MoatWritePath(string root, string namespaceId, IWalKeySource keys, TimeSpan? window)
    {
        _root = root;
        _namespaceId = namespaceId;
        _local = new LocalFileSystemStore(root, "bench-1");
        _queue = new GroupCommitQueue(new ResilientObjectStore(_local, new ResilientObjectStoreOptions()), keys, window is { } w ? new GroupCommitOptions { Window = w } : new GroupCommitOptions());
    }

    public Task<WalAck> SubmitAsync(WalWrite write) => _queue.SubmitAsync(_namespaceId, write, CancellationToken.None);

    /// <summary>WAL entries in the store (one file each).</summary>
    public int CountEntries()
    {
        var directory = Path.Combine(_root, WalPaths.Prefix(_namespaceId));
        return System.IO.Directory.Exists(directory)
            ? System.IO.Directory.EnumerateFiles(directory).Count(f => !Path.GetFileName(f).StartsWith(ObjectKey.ReservedSegmentPrefix, StringComparison.Ordinal))
            : 0;
    }

    /// <summary>Bytes the local store writes for a WAL entry holding only <paramref name="write"/>: the sealed entry and the store's 24-byte file header.</summary>
    public static int StoredSizeOfSingleWrite(string namespaceId, WalWrite write)
    {
        var entry = new WalEntry { NamespaceId = namespaceId, Sequence = 1, CommittedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) };
        entry.Writes.Add(write);
        var plaintext = WalEntryCodec.Encode(entry).Length;
        return checked((int)SealedObjectFormat.GetSealedLength(plaintext)) + 24;
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync().ConfigureAwait(false);
        _local.Dispose();
    }
}
