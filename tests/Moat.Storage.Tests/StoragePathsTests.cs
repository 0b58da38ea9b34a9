namespace Moat.Storage.Tests;

public class StoragePathsTests
{
    [Fact]
    public void Namespace_paths_use_the_opaque_id_and_twenty_digit_versions()
    {
        Assert.Equal("v1/ns/abc/wal/00000000000000000042", StoragePaths.WalEntry("abc", 42));
        Assert.Equal("v1/ns/abc/keyring/00000000000000000001", StoragePaths.Keyring("abc", 1));
        Assert.Equal("v1/ns/abc/manifest/00000000000000000007", StoragePaths.Manifest("abc", 7));
        Assert.Equal("v1/ns/abc/meta", StoragePaths.Meta("abc"));
        Assert.Equal("v1/ns/abc/seg/s1", StoragePaths.Segment("abc", "s1"));
    }
}
