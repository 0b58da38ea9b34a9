using Moat.Storage.ObjectStore;

namespace Moat.Storage.Tests.ObjectStore;

/// <summary>The contract on the embedded local file-system store.</summary>
public sealed class LocalFileSystemStoreConformanceTests : ObjectStoreConformanceTests
{
    private readonly List<IDisposable> _owned = [];

    protected override IObjectStore CreateStore()
    {
        var directory = new TestDirectory();
        var store = new LocalFileSystemStore(directory.Combine("store"), "test-1");
        _owned.Add(store);
        _owned.Add(directory);
        return store;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _owned.ForEach(d => d.Dispose());
        }

        base.Dispose(disposing);
    }
}
