using System.Security.Cryptography;
using Moat.Internal.V1;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.V1;

namespace Moat.Wal.Tests;

/// <summary>An in-memory key source with one random 32-byte DEK (keyring version 1, DEK 7).</summary>
internal sealed class TestKeys : IWalKeySource, IDataKeySource
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public ValueTask<SealingKey> GetCurrentAsync(string namespaceId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SealingKey.Borrowed(1L, 7u, _key));

    public IDataKeySource DataKeys(string namespaceId) => this;

    public ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ReadOnlyMemory<byte>?>(keyringVersion == 1 && dekId == 7 ? _key : null);
}

/// <summary>A temporary directory for a local store, removed on dispose.</summary>
internal sealed class TempStore : IDisposable
{
    private readonly List<LocalFileSystemStore> _opened = [];

    public TempStore() => Directory = System.IO.Directory.CreateTempSubdirectory("moat-wal-").FullName;

    public string Directory { get; }

    /// <summary>A new store instance over the same directory (as another process would open it).</summary>
    public LocalFileSystemStore Open()
    {
        var store = new LocalFileSystemStore(Directory, "test-region");
        _opened.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in _opened)
        {
            store.Dispose();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

internal static class WalTestKit
{
    public const string Nsid = "ns0001";

    public static GroupCommitOptions Options(Action<GroupCommitOptions>? configure = null)
    {
        var options = new GroupCommitOptions { StoreCallTimeout = TimeSpan.FromSeconds(5) };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>One write whose idempotency key and deleted document id are the unique <paramref name="marker"/>.</summary>
    public static WalWrite Write(string marker)
    {
        var write = new WalWrite { IdempotencyKey = marker };
        write.Operations.Add(new WalOperation { Delete = new DocumentId { Text = marker } });
        return write;
    }

    public static async Task<List<WalEntry>> ReadAllAsync(IObjectStore store, IWalKeySource keys, string nsid = Nsid)
    {
        var entries = new List<WalEntry>();
        await foreach (var entry in new WalReader(store, keys).ReadAsync(nsid, 1, CancellationToken.None))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>Sequences are 1..n with no gap; every write appears once; every ack's sequence holds its write.</summary>
    public static void AssertConsistent(List<WalEntry> entries, IReadOnlyDictionary<string, WalAck> acked)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            Assert.Equal((ulong)(i + 1), entries[i].Sequence);
        }

        var seen = new Dictionary<string, (ulong Sequence, int Index)>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            for (var i = 0; i < entry.Writes.Count; i++)
            {
                var marker = entry.Writes[i].IdempotencyKey;
                Assert.True(seen.TryAdd(marker, (entry.Sequence, i)), $"write {marker} appears twice");
                Assert.Equal(marker, entry.Writes[i].Operations.Single().Delete.Text);
            }
        }

        foreach (var (marker, ack) in acked)
        {
            Assert.True(seen.TryGetValue(marker, out var at), $"acknowledged write {marker} is lost");
            Assert.Equal((ulong)ack.Sequence, at.Sequence);
            Assert.Equal(ack.Index, at.Index);
        }
    }
}
