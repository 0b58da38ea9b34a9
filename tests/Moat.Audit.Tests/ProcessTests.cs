namespace Moat.Audit.Tests;

/// <summary>Real processes on one store: two writers at once, and a writer killed mid-burst and restarted.</summary>
[Collection("processes")]
public sealed class ProcessTests
{
    [Fact]
    public async Task Two_processes_write_their_own_chains_and_a_checkpoint_names_both()
    {
        await using var rig = new AuditRig();
        using var a = await AppenderProcess.StartAsync(rig, "write.p1", 300);
        using var b = await AppenderProcess.StartAsync(rig, "query.p2", 300);
        Assert.Equal(300, await a.WaitDoneAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(300, await b.WaitDoneAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), a.Acks.Order());

        var checkpoint = await rig.Checkpointer.CheckpointAsync(AuditRig.Org);
        Assert.NotNull(checkpoint);
        var body = Moat.V1.AuditCheckpointBody.Parser.ParseFrom(checkpoint.Body);
        Assert.Equal(["query.p2", "write.p1"], body.Writers.Select(w => w.Writer));
        Assert.All(body.Writers, w => Assert.Equal(300UL, w.RecordCount));

        var result = await rig.VerifyAsync();
        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        Assert.Equal(600, result.Records.Count);
    }

    [Fact]
    public async Task A_writer_killed_mid_burst_keeps_every_acknowledged_record_and_continues_its_chain()
    {
        await using var rig = new AuditRig();
        long[] acknowledged;
        using (var burst = await AppenderProcess.StartAsync(rig, "write.crash", 1_000_000, concurrency: 16))
        {
            await burst.WaitForAcksAsync(400, TimeSpan.FromSeconds(60));
            await burst.KillAsync();
            acknowledged = [.. burst.Acks];
        }

        Assert.True(acknowledged.Length >= 400);
        using (var restarted = await AppenderProcess.StartAsync(rig, "write.crash", 100, concurrency: 4))
        {
            var records = await restarted.WaitDoneAsync(TimeSpan.FromSeconds(60));
            var resumed = restarted.Acks.Order().ToList();
            Assert.Equal(100, resumed.Count);
            Assert.True(resumed[0] > acknowledged.Max(), "the restarted writer reused a sequence number");
            Assert.Equal(records, resumed[^1]);
        }

        await rig.Checkpointer.CheckpointAsync(AuditRig.Org);
        var result = await rig.VerifyAsync();
        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        var stored = result.Records.Select(r => r.Sequence).ToHashSet();
        Assert.All(acknowledged, seq => Assert.Contains(seq, stored));
        var writer = Assert.Single(result.Writers);
        Assert.Equal(writer.Records, stored.Count); // 1..n, no gap, no fork
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Order());
    }
}
