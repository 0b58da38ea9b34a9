using Moat.Storage.ObjectStore;

namespace Moat.Storage.Tests.ObjectStore;

/// <summary>
/// The contract still holds through <see cref="ResilientObjectStore"/> over a store that, with a
/// fixed seed, fails idempotent calls before or after applying them: the retries hide the faults.
/// (Conditional puts pass through unfaulted here; their faults have their own tests.)
/// </summary>
public sealed class ResilientFaultyStoreConformanceTests : ObjectStoreConformanceTests
{
    private readonly List<IDisposable> _owned = [];

    protected override IObjectStore CreateStore()
    {
        var directory = new TestDirectory();
        var local = new LocalFileSystemStore(directory.Combine("store"), "test-1");
        _owned.Add(local);
        _owned.Add(directory);
        var faulty = new FaultyObjectStore(local, seed: 42)
            .SetRandomFaults(ObjectStoreOperations.Get | ObjectStoreOperations.Head | ObjectStoreOperations.List | ObjectStoreOperations.Delete | ObjectStoreOperations.Put, failBefore: 0.1, failAfter: 0.05);
        return new ResilientObjectStore(faulty, new ResilientObjectStoreOptions
        {
            MaxRetryAttempts = 10,
            RetryBaseDelay = TimeSpan.Zero,
            RetryMaxDelay = TimeSpan.FromMilliseconds(1),
            BreakerFailureRatio = 1,
            BreakerMinimumThroughput = 10_000,
            ListPageSize = 3,
        });
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
