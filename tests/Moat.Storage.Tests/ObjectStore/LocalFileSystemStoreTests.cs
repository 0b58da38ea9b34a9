using System.Security.Cryptography;
using Moat.Storage.ObjectStore;

namespace Moat.Storage.Tests.ObjectStore;

/// <summary>What only the local store promises: region binding, file modes, its own files hidden, ETag = content hash.</summary>
public sealed class LocalFileSystemStoreTests : IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly CancellationTokenSource _limit = new(TestData.Limit);

    private string Root => _directory.Combine("store");

    private CancellationToken Ct => _limit.Token;

    [Fact]
    public void The_first_open_records_the_region_and_a_later_open_for_it_succeeds()
    {
        using (new LocalFileSystemStore(Root, "eu-west-1"))
        {
        }

        Assert.Equal("eu-west-1\n", File.ReadAllText(Path.Combine(Root, ".moat-store-region")));
        using var again = new LocalFileSystemStore(Root, "eu-west-1");
        Assert.Equal("eu-west-1", again.Region);
    }

    [Fact]
    public void Opening_a_store_of_another_region_is_refused()
    {
        using (new LocalFileSystemStore(Root, "eu-west-1"))
        {
        }

        var refusal = Assert.Throws<ObjectStoreRegionMismatchException>(() => new LocalFileSystemStore(Root, "us-east-1"));

        Assert.Equal("eu-west-1", refusal.StoreRegion);
        Assert.Equal("us-east-1", refusal.ServiceRegion);
        Assert.Contains(Root, refusal.Message, StringComparison.Ordinal);
        Assert.Contains("belongs to region 'eu-west-1'", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("serves region 'us-east-1'", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("eu west")]
    [InlineData("../x")]
    public void An_invalid_region_name_is_refused(string region) =>
        Assert.ThrowsAny<ArgumentException>(() => new LocalFileSystemStore(Root, region));

    [Fact]
    public async Task Files_are_0600_and_directories_0700()
    {
        using var store = new LocalFileSystemStore(Root, "test-1");
        await store.PutAsync("v1/ns/n1/wal/00000000000000000001", TestData.Utf8("x"), PutCondition.IfAbsent, Ct);
        await store.PutAsync("v1/ns/n1/meta", TestData.Utf8("x"), PutCondition.None, Ct);

        const UnixFileMode File0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        const UnixFileMode Dir0700 = File0600 | UnixFileMode.UserExecute;
        Assert.Equal(Dir0700, File.GetUnixFileMode(Root));
        Assert.Equal(Dir0700, File.GetUnixFileMode(Path.Combine(Root, "v1")));
        Assert.Equal(Dir0700, File.GetUnixFileMode(Path.Combine(Root, "v1/ns/n1/wal")));
        Assert.Equal(File0600, File.GetUnixFileMode(Path.Combine(Root, "v1/ns/n1/wal/00000000000000000001")));
        Assert.Equal(File0600, File.GetUnixFileMode(Path.Combine(Root, "v1/ns/n1/meta")));
        Assert.Equal(File0600, File.GetUnixFileMode(Path.Combine(Root, ".moat-store-region")));
    }

    [Fact]
    public async Task The_stores_own_files_never_show_in_list_or_get()
    {
        using var store = new LocalFileSystemStore(Root, "test-1");
        var etag = await store.PutAsync("a/k", TestData.Utf8("1"), PutCondition.None, Ct);
        await store.PutAsync("a/k", TestData.Utf8("2"), PutCondition.IfMatch(etag), Ct); // takes a lock file
        await store.DeleteAsync("a/gone", null, Ct);
        File.WriteAllText(Path.Combine(Root, "a", ".moat-tmp-leftover"), "crashed writer"); // as a crash would leave it

        var listed = await store.ListAsync("", null, Ct).ToListAsync(Ct);

        Assert.Equal(["a/k"], listed.Select(m => m.Key));
        Assert.True(Directory.Exists(Path.Combine(Root, ".moat-locks")));
        Assert.Equal([".moat-tmp-leftover", "k"], Directory.GetFiles(Path.Combine(Root, "a")).Select(Path.GetFileName).Order(StringComparer.Ordinal)); // no temp file of ours left
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync("a/.moat-tmp-leftover", null, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(".moat-locks/00", null, Ct));
    }

    [Fact]
    public async Task The_etag_is_the_content_hash()
    {
        using var store = new LocalFileSystemStore(Root, "test-1");
        var data = TestData.Bytes(300, seed: 7);

        var one = await store.PutAsync("one", data, PutCondition.None, Ct);
        var two = await store.PutAsync("two", data, PutCondition.IfAbsent, Ct);
        var other = await store.PutAsync("one", TestData.Bytes(300, seed: 8), PutCondition.IfMatch(one), Ct);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data))[..32], one);
        Assert.Equal(one, two);
        Assert.NotEqual(one, other);
    }

    [Fact]
    public async Task A_key_cannot_be_both_an_object_and_a_directory_of_keys()
    {
        using var store = new LocalFileSystemStore(Root, "test-1");
        await store.PutAsync("a", TestData.Utf8("object"), PutCondition.None, Ct);
        await store.PutAsync("x/y", TestData.Utf8("below x"), PutCondition.None, Ct);

        var below = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync("a/b", TestData.Utf8("x"), PutCondition.IfAbsent, Ct));
        var above = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync("x", TestData.Utf8("x"), PutCondition.IfAbsent, Ct));
        var replace = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync("x", TestData.Utf8("x"), PutCondition.None, Ct));

        Assert.All([below, above, replace], e => Assert.IsNotType<ObjectStorePreconditionFailedException>(e));
        Assert.Contains("cannot hold both a key and keys below it", above.Message, StringComparison.Ordinal);
        Assert.Equal("object", TestData.Text(await store.GetAsync("a", null, Ct)));
        Assert.Null(await store.GetAsync("a/b", null, Ct));
        Assert.Null(await store.HeadAsync("x", Ct));
        Assert.Equal(["a", "x/y"], (await store.ListAsync("", null, Ct).ToListAsync(Ct)).Select(m => m.Key));
    }

    [Fact]
    public async Task A_damaged_file_is_a_clear_permanent_error()
    {
        using var store = new LocalFileSystemStore(Root, "test-1");
        File.WriteAllText(Path.Combine(Root, "foreign"), "not written by the store");

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => store.GetAsync("foreign", null, Ct));

        Assert.IsNotType<ObjectStoreUnavailableException>(error);
        Assert.Contains("not a Moat object file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Objects_survive_reopening_the_store()
    {
        string etag;
        using (var store = new LocalFileSystemStore(Root, "test-1"))
        {
            etag = await store.PutAsync("k", TestData.Utf8("kept"), PutCondition.IfAbsent, Ct);
        }

        using var reopened = new LocalFileSystemStore(Root, "test-1");
        var stored = await reopened.GetAsync("k", null, Ct);
        Assert.Equal("kept", TestData.Text(stored));
        Assert.Equal(etag, stored!.Metadata.ETag);
    }

    public void Dispose()
    {
        _limit.Dispose();
        _directory.Dispose();
    }
}
