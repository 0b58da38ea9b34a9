using Google.Protobuf;
using Moat.Internal.V1;
using Moat.Storage.ObjectStore;
using Moat.V1;

namespace Moat.Audit.Tests;

/// <summary>
/// Every tampering re-seals with the right key at the right path, so the seal holds and only the
/// chain, digest and checkpoint logic can catch it.
/// </summary>
public sealed class TamperTests
{
    private const string Writer = "write.a";

    [Fact]
    public async Task The_untouched_log_verifies()
    {
        await using var rig = await SetUpAsync();
        var result = await rig.VerifyAsync();
        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        Assert.Equal(20, result.Records.Count);
        Assert.Equal(4, result.Checkpoints);
    }

    [Fact]
    public async Task An_edited_record_breaks_the_next_link()
    {
        await using var rig = await SetUpAsync();
        var batch = await rig.ReadBatchAsync(Writer, 2);
        var record = AuditRecord.Parser.ParseFrom(batch.Records[1]);
        Assert.Equal(7UL, record.Sequence);
        record.Event.NamespaceName = "ns-forged";
        batch.Records[1] = record.ToByteString();
        await rig.WriteBatchAsync(Writer, 2, batch);

        await AssertFirstBrokenAsync(rig, Writer, 8, AuditLinkFailure.RecordLinkBroken);
    }

    [Fact]
    public async Task A_deleted_record_is_found()
    {
        await using var rig = await SetUpAsync();
        var batch = await rig.ReadBatchAsync(Writer, 2);
        batch.Records.RemoveAt(1);
        await rig.WriteBatchAsync(Writer, 2, batch);

        await AssertFirstBrokenAsync(rig, Writer, 7, AuditLinkFailure.RecordOutOfSequence);
    }

    [Fact]
    public async Task Reordered_records_are_found()
    {
        await using var rig = await SetUpAsync();
        var batch = await rig.ReadBatchAsync(Writer, 2);
        (batch.Records[1], batch.Records[2]) = (batch.Records[2], batch.Records[1]);
        await rig.WriteBatchAsync(Writer, 2, batch);

        await AssertFirstBrokenAsync(rig, Writer, 7, AuditLinkFailure.RecordOutOfSequence);
    }

    [Fact]
    public async Task An_inserted_record_is_found_even_when_it_links_to_its_predecessor()
    {
        await using var rig = await SetUpAsync();
        var batch = await rig.ReadBatchAsync(Writer, 2);
        var forged = AuditRecord.Parser.ParseFrom(batch.Records[1]); // record 7: same sequence, links to record 6
        forged.Event.Kind = Moat.Internal.V1.AuditEventKind.NamespaceDelete;
        batch.Records.Insert(1, forged.ToByteString());
        await rig.WriteBatchAsync(Writer, 2, batch);

        await AssertFirstBrokenAsync(rig, Writer, 8, AuditLinkFailure.RecordOutOfSequence);
    }

    [Fact]
    public async Task An_edited_last_record_of_a_batch_fails_the_signed_digest()
    {
        await using var rig = await SetUpAsync();
        var batch = await rig.ReadBatchAsync(Writer, 1);
        var record = AuditRecord.Parser.ParseFrom(batch.Records[4]);
        record.Event.Outcome = AuditOutcome.Denied; // rewrite the last record of batch 1 (no later link inside the batch)
        batch.Records[4] = record.ToByteString();
        await rig.WriteBatchAsync(Writer, 1, batch);

        await AssertFirstBrokenAsync(rig, Writer, 5, AuditLinkFailure.DigestMismatch);
    }

    [Fact]
    public async Task A_removed_batch_is_found()
    {
        await using var rig = await SetUpAsync();
        await rig.DeleteAsync(AuditPaths.Batch(AuditRig.Org, Writer, 2));

        await AssertFirstBrokenAsync(rig, Writer, 2, AuditLinkFailure.BatchMissing);
    }

    [Fact]
    public async Task A_batch_copied_to_another_position_does_not_unseal()
    {
        await using var rig = await SetUpAsync();
        var third = await rig.Store.GetAsync(AuditPaths.Batch(AuditRig.Org, Writer, 3), null, CancellationToken.None);
        await rig.Store.PutAsync(AuditPaths.Batch(AuditRig.Org, Writer, 2), third!.Data, PutCondition.None, CancellationToken.None);

        await AssertFirstBrokenAsync(rig, Writer, 2, AuditLinkFailure.BatchUnreadable);
    }

    [Fact]
    public async Task A_digest_signed_by_an_untrusted_key_is_found()
    {
        await using var rig = await SetUpAsync();
        var path = AuditPaths.Digest(AuditRig.Org, Writer, 2);
        var stored = SignedAuditDigest.Parser.ParseFrom((await rig.Store.GetAsync(path, null, CancellationToken.None))!.Data.Span);
        using var mallory = EcdsaAuditSigner.Create(rig.Signer.KeyId);
        stored.Signature = ByteString.CopyFrom(mallory.Sign(stored.Body.Span));
        await rig.Store.PutAsync(path, stored.ToByteArray(), PutCondition.None, CancellationToken.None);

        await AssertFirstBrokenAsync(rig, Writer, 2, AuditLinkFailure.DigestSignature);
    }

    [Fact]
    public async Task A_whole_writer_chain_removed_is_found_through_the_checkpoints()
    {
        await using var rig = await SetUpAsync(secondWriter: true);
        Assert.True((await rig.VerifyAsync()).IsValid);
        foreach (var key in await rig.AllKeysAsync(AuditPaths.WriterPrefix(AuditRig.Org, "write.b")))
        {
            await rig.DeleteAsync(key);
        }

        await AssertFirstBrokenAsync(rig, "write.b", 5, AuditLinkFailure.WriterMissing); // named first by checkpoint 1, at record 5
    }

    [Fact]
    public async Task A_truncated_tail_passes_alone_and_is_found_against_a_saved_checkpoint()
    {
        await using var rig = await SetUpAsync();
        var saved = (await rig.VerifyAsync()).LatestCheckpoint!;
        Assert.Equal(4UL, AuditCheckpointBody.Parser.ParseFrom(saved.Body).Sequence);

        // Cut the last batch, its digest and the checkpoint naming it: what is left is consistent.
        await rig.DeleteAsync(AuditPaths.Batch(AuditRig.Org, Writer, 4));
        await rig.DeleteAsync(AuditPaths.Digest(AuditRig.Org, Writer, 4));
        await rig.DeleteAsync(AuditPaths.Checkpoint(AuditRig.Org, 4));
        var alone = await rig.VerifyAsync();
        Assert.True(alone.IsValid, string.Join('\n', alone.Problems));
        Assert.Equal(15, alone.Records.Count);

        var result = await rig.VerifyAsync(since: saved);
        Assert.False(result.IsValid);
        Assert.Equal(new AuditBrokenLink(Writer, 16, AuditLinkFailure.ChainTruncated, result.FirstBrokenLink!.Detail), result.FirstBrokenLink);
        Assert.Contains(result.Problems, p => p.What == AuditLinkFailure.SinceCheckpointMissing);
    }

    private static async Task AssertFirstBrokenAsync(AuditRig rig, string writer, long sequence, AuditLinkFailure what)
    {
        var result = await rig.VerifyAsync();
        Assert.False(result.IsValid, "tampering went unnoticed");
        var first = result.FirstBrokenLink!;
        Assert.True(first.Writer == writer && first.Sequence == sequence && first.What == what,
            $"expected {writer} #{sequence} {what}; got:\n{string.Join('\n', result.Problems)}");
    }

    /// <summary>Writer a: 4 batches of 5 records, a digest after each batch, a checkpoint after each round.</summary>
    private static async Task<AuditRig> SetUpAsync(bool secondWriter = false)
    {
        var rig = new AuditRig();
        var options = new AuditWriterOptions
        {
            WriterId = AuditWriterId.Create("write", "a"),
            GroupCommitWindow = TimeSpan.FromMilliseconds(50),
            DigestEveryRecords = 5,
        };
        var writer = rig.NewWriter("a", options);
        var other = secondWriter ? rig.NewWriter("b", options) : null;
        for (var round = 0; round < 4; round++)
        {
            var appends = Enumerable.Range(0, 5).Select(i => writer.AppendDurableAsync(AuditRig.StateChange((round * 5) + i))).ToList();
            if (other is not null && round < 2)
            {
                appends.AddRange(Enumerable.Range(0, 5).Select(i => other.AppendDurableAsync(AuditRig.StateChange(i))));
            }

            await Task.WhenAll(appends);
            await writer.FlushAsync();
            if (other is not null)
            {
                await other.FlushAsync();
            }

            await rig.Checkpointer.CheckpointAsync(AuditRig.Org);
        }

        Assert.Equal(4, writer.GetStatistics().Batches);
        return rig;
    }
}
