using Moat.Storage.ObjectStore;

namespace Moat.Storage.Tests.ObjectStore;

public sealed class FaultyObjectStoreTests : IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly LocalFileSystemStore _local;
    private readonly CancellationTokenSource _limit = new(TestData.Limit);

    public FaultyObjectStoreTests() => _local = new LocalFileSystemStore(_directory.Combine("store"), "test-1");

    private CancellationToken Ct => _limit.Token;

    [Fact]
    public async Task The_same_seed_gives_the_same_faults()
    {
        async Task<string> Pattern(ulong seed)
        {
            var faulty = new FaultyObjectStore(_local, seed).SetRandomFaults(ObjectStoreOperations.Head, failBefore: 0.3, failAfter: 0.3);
            var pattern = new char[40];
            for (var i = 0; i < pattern.Length; i++)
            {
                try
                {
                    await faulty.HeadAsync("k", Ct);
                    pattern[i] = '.';
                }
                catch (ObjectStoreUnavailableException e)
                {
                    pattern[i] = e.Message.Contains("before", StringComparison.Ordinal) ? 'b' : 'a';
                }
            }

            return new string(pattern);
        }

        var first = await Pattern(11);
        Assert.Equal(first, await Pattern(11));
        Assert.NotEqual(first, await Pattern(12));
        Assert.Contains('b', first);
        Assert.Contains('a', first);
        Assert.Contains('.', first);
    }

    [Fact]
    public async Task Failing_before_does_not_apply_and_failing_after_does()
    {
        var faulty = new FaultyObjectStore(_local)
            .Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.FailBefore)
            .Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.FailAfter);

        await Assert.ThrowsAsync<ObjectStoreUnavailableException>(() => faulty.PutAsync("k", TestData.Utf8("1"), PutCondition.IfAbsent, Ct));
        Assert.Null(await _local.HeadAsync("k", Ct));
        await Assert.ThrowsAsync<ObjectStoreUnavailableException>(() => faulty.PutAsync("k", TestData.Utf8("2"), PutCondition.IfAbsent, Ct));
        Assert.Equal("2", TestData.Text(await _local.GetAsync("k", null, Ct)));
        await faulty.PutAsync("other", TestData.Utf8("3"), PutCondition.IfAbsent, Ct); // the script is used up

        Assert.Equal(3, faulty.Calls(ObjectStoreOperations.PutIfAbsent));
        Assert.Equal(2, faulty.Applied(ObjectStoreOperations.AnyPut));
        Assert.Equal(2, faulty.InjectedFaults);
    }

    [Fact]
    public async Task A_hang_lasts_until_cancelled()
    {
        var faulty = new FaultyObjectStore(_local).Enqueue(ObjectStoreOperations.Get, ObjectStoreFault.HangBefore);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => faulty.GetAsync("k", null, cts.Token));
    }

    public void Dispose()
    {
        _limit.Dispose();
        _local.Dispose();
        _directory.Dispose();
    }
}
