using Moat.Storage.ObjectStore;

namespace Moat.Audit.Tests;

public sealed class WriterTests
{
    [Fact]
    public async Task Concurrent_durable_appends_share_batches_and_the_chain_verifies()
    {
        await using var rig = new AuditRig();
        var writer = rig.NewWriter("a");
        var receipts = await Task.WhenAll(Enumerable.Range(0, 64).Select(t => Task.Run(async () =>
        {
            var mine = new List<AuditReceipt>();
            for (var i = 0; i < 25; i++)
            {
                mine.Add(await writer.AppendDurableAsync(AuditRig.StateChange((t * 100) + i)));
            }

            return mine;
        })));
        var all = receipts.SelectMany(r => r).ToList();
        Assert.Equal(Enumerable.Range(1, 1600).Select(i => (long)i), all.Select(r => r.Sequence).Order());

        // How much 64 writers overlap depends on the scheduler (2 cores, a thread pool still growing):
        // some batches must have been shared. A burst, every append issued before any is durable,
        // must share heavily whatever the machine.
        var trickle = writer.GetStatistics().Batches;
        Assert.True(trickle < 1600, $"{trickle} batches for 1600 concurrent appends: no group commit");
        await Task.WhenAll(Enumerable.Range(0, 400).Select(i => writer.AppendDurableAsync(AuditRig.StateChange(10_000 + i))));
        var burst = writer.GetStatistics().Batches - trickle;
        Assert.True(burst < 400 / 4, $"{burst} batches for a burst of 400 appends: no group commit");

        await writer.FlushAsync();
        await rig.Checkpointer.CheckpointAsync(AuditRig.Org);
        var result = await rig.VerifyAsync();
        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        Assert.Equal(2000, result.Records.Count);
        Assert.Equal(2000, Assert.Single(result.Writers).Records);
    }

    [Fact]
    public async Task Two_writers_in_one_process_write_their_own_chains_and_checkpoints_name_both()
    {
        await using var rig = new AuditRig();
        var a = rig.NewWriter("a", new AuditWriterOptions { WriterId = AuditWriterId.Create("write", "a"), DigestEveryRecords = 40 });
        var b = rig.NewWriter("b", new AuditWriterOptions { WriterId = AuditWriterId.Create("write", "b"), DigestEveryRecords = 40 });
        await Task.WhenAll(Enumerable.Range(0, 16).Select(t => Task.Run(async () =>
        {
            var writer = t % 2 == 0 ? a : b;
            for (var i = 0; i < 30; i++)
            {
                await writer.AppendDurableAsync(AuditRig.StateChange(i));
                if (i % 10 == 0)
                {
                    await rig.Checkpointer.CheckpointAsync(AuditRig.Org);
                }
            }
        })));
        await a.FlushAsync();
        await b.FlushAsync();
        var checkpoint = await rig.Checkpointer.CheckpointAsync(AuditRig.Org);
        Assert.NotNull(checkpoint);

        var result = await rig.VerifyAsync();
        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        Assert.Equal(["write.a", "write.b"], result.Writers.Select(w => w.Writer));
        Assert.All(result.Writers, w => Assert.Equal(240, w.Records));
        var body = Moat.V1.AuditCheckpointBody.Parser.ParseFrom(result.LatestCheckpoint!.Body);
        Assert.Equal(["write.a", "write.b"], body.Writers.Select(w => w.Writer));
        Assert.All(body.Writers, w => Assert.Equal(240UL, w.RecordCount));
        Assert.True(result.Checkpoints >= 2);
        Assert.Equal(480, result.Records.Count);
    }

    [Fact]
    public async Task A_restarted_writer_continues_its_chain()
    {
        await using var rig = new AuditRig();
        var first = rig.NewWriter("a");
        await AuditRig.AppendSequentiallyAsync(first, 10);
        await first.DisposeAsync();

        var second = rig.NewWriter("a");
        var receipt = await second.AppendDurableAsync(AuditRig.StateChange(10));
        Assert.Equal(11, receipt.Sequence);
        Assert.Equal(11, receipt.BatchSequence);
        await AuditRig.AppendSequentiallyAsync(second, 4, 11);
        await second.FlushAsync();

        var result = await rig.VerifyAsync();
        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        Assert.Equal(15, Assert.Single(result.Writers).Records);
        Assert.Equal(2, Assert.Single(result.Writers).Digests);
    }

    [Fact]
    public async Task A_second_writer_with_the_same_id_fails_loudly_and_the_chain_does_not_fork()
    {
        await using var rig = new AuditRig();
        var first = rig.NewWriter("a");
        var twin = rig.NewWriter("a");
        await first.AppendDurableAsync(AuditRig.StateChange(0));
        await twin.AppendDurableAsync(AuditRig.StateChange(1)); // resumes after record 1: seq 2
        // The first still believes record 1 is the head: batch 2 exists, so it stops instead of forking.
        await Assert.ThrowsAsync<AuditChainConflictException>(() => first.AppendDurableAsync(AuditRig.StateChange(2)));

        // And it stays stopped.
        var failures = 0;
        for (var i = 0; i < 5; i++)
        {
            try
            {
                await first.AppendDurableAsync(AuditRig.StateChange(10 + i));
            }
            catch (AuditChainConflictException)
            {
                failures++;
            }
        }

        Assert.Equal(5, failures);
        await twin.FlushAsync();
        var result = await rig.VerifyAsync();
        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        Assert.Equal(2, Assert.Single(result.Writers).Records);
    }

    [Fact]
    public async Task A_put_whose_answer_was_lost_is_written_again_with_the_same_bytes()
    {
        await using var rig = new AuditRig();
        var faulty = new FaultyObjectStore(rig.Store);
        var writer = rig.NewWriter("a", store: faulty);
        await writer.AppendDurableAsync(AuditRig.StateChange(0));
        faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.FailAfter);
        var inDoubt = await Assert.ThrowsAsync<AuditBatchInDoubtException>(() => writer.AppendDurableAsync(AuditRig.StateChange(1)));
        Assert.IsType<ObjectStoreUnavailableException>(inDoubt.InnerException);
        faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.FailBefore);
        await Assert.ThrowsAsync<ObjectStoreUnavailableException>(() => writer.AppendDurableAsync(AuditRig.StateChange(2)));
        var receipt = await writer.AppendDurableAsync(AuditRig.StateChange(3));
        Assert.Equal(3, receipt.Sequence); // record 2 (in doubt) was stored after all; record 3 (never built) left no gap
        await writer.FlushAsync();

        var result = await rig.VerifyAsync();
        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        Assert.Equal(3, Assert.Single(result.Writers).Records);
    }
}
