using System.Globalization;
using Moat.Storage.ObjectStore;
using Xunit.Abstractions;

namespace Moat.Storage.Tests.ObjectStore;

/// <summary>
/// Conditional writes raced by two processes on one local store (link(2) for if-absent, flock(2) for
/// if-match): the guarantees must hold across processes, not only across threads of one.
/// </summary>
public sealed class LocalFileSystemStoreCrossProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan RaceLimit = TimeSpan.FromSeconds(60);
    private readonly TestDirectory _directory = new();

    private string Root => _directory.Combine("store");

    [Fact]
    public async Task Sixteen_if_absent_puts_from_two_processes_have_exactly_one_winner()
    {
        const string Key = "v1/ns/n1/wal/00000000000000000042";
        using (new LocalFileSystemStore(Root, "test-1"))
        {
        }

        var results = await StoreRacer.RaceAsync(_directory.Path,
        [
            ["if-absent", Root, "test-1", Key, _directory.Path, "0", "8"],
            ["if-absent", Root, "test-1", Key, _directory.Path, "1", "8"],
        ], RaceLimit);

        Assert.All(results, r => Assert.True(r.ExitCode == 0, $"racer exited {r.ExitCode}: {r.Stderr}"));
        Array.ForEach(results, r => output.WriteLine(r.Stdout));
        var lines = results.SelectMany(r => r.Lines).ToArray();
        Assert.Equal(16, lines.Length);
        var winner = Assert.Single(lines, l => l.StartsWith("WIN ", StringComparison.Ordinal));
        Assert.Equal(15, lines.Count(l => l.StartsWith("LOSE ", StringComparison.Ordinal)));

        using var store = new LocalFileSystemStore(Root, "test-1");
        Assert.Equal(winner["WIN ".Length..], TestData.Text(await store.GetAsync(Key, null, CancellationToken.None)));
    }

    [Fact]
    public async Task Compare_and_swap_increments_from_two_processes_lose_no_update()
    {
        const string Key = "v1/ns/n1/counter";
        const int TasksPerProcess = 4;
        const int IncrementsPerTask = 10;
        using (var store = new LocalFileSystemStore(Root, "test-1"))
        {
            await store.PutAsync(Key, TestData.Number(0), PutCondition.IfAbsent, CancellationToken.None);
        }

        var results = await StoreRacer.RaceAsync(_directory.Path,
        [
            ["cas", Root, "test-1", Key, _directory.Path, "0", $"{TasksPerProcess}", $"{IncrementsPerTask}"],
            ["cas", Root, "test-1", Key, _directory.Path, "1", $"{TasksPerProcess}", $"{IncrementsPerTask}"],
        ], RaceLimit);

        Assert.All(results, r => Assert.True(r.ExitCode == 0, $"racer exited {r.ExitCode}: {r.Stderr}"));
        Array.ForEach(results, r => output.WriteLine(r.Stdout));
        var successes = results.Sum(r => Count(r, "SUCCESSES"));
        Assert.Equal(2 * TasksPerProcess * IncrementsPerTask, successes);

        using var reopened = new LocalFileSystemStore(Root, "test-1");
        Assert.Equal(successes, TestData.Number((await reopened.GetAsync(Key, null, CancellationToken.None))!));
    }

    public void Dispose() => _directory.Dispose();

    private static long Count(StoreRacer.Result result, string label) =>
        long.Parse(result.Lines.Single(l => l.StartsWith(label + " ", StringComparison.Ordinal))[(label.Length + 1)..], CultureInfo.InvariantCulture);
}
