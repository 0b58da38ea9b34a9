using Microsoft.Extensions.Time.Testing;
using Moat.Storage.ObjectStore;
using Moat.V1;

namespace Moat.Audit.Tests;

public sealed class AggregationTests
{
    private static AuditEvent AuthDecision(string keyId, AuditEventOutcome outcome = AuditEventOutcome.Success) => new()
    {
        Kind = AuditEventKind.Authentication,
        Outcome = outcome,
        Reason = outcome == AuditEventOutcome.Success ? ErrorReason.Unspecified : ErrorReason.ApiKeyInvalid,
        Org = new AuditIdentifier(AuditRig.Org),
        Principal = AuditPrincipal.ApiKey(new AuditIdentifier(AuditRig.Org), new AuditIdentifier(keyId)),
        EndpointId = new AuditIdentifier("ep-1"),
    };

    [Fact]
    public async Task Ten_thousand_auth_decisions_in_a_minute_become_a_handful_of_records_counting_all()
    {
        await using var rig = new AuditRig();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 10, 0, 5, TimeSpan.Zero));
        var writer = rig.NewWriter("gw", time: time);
        for (var half = 0; half < 2; half++)
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 1250; i++)
                {
                    writer.Record(AuthDecision("key-1"));
                }
            })));
            time.Advance(TimeSpan.FromSeconds(20));
            await writer.FlushAsync(); // the periodic flush, twice within the minute
        }
        var result = await rig.VerifyAsync();
        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        Assert.InRange(result.Records.Count, 1, 5);
        Assert.Equal(10_000, result.Records.Sum(r => r.Count));
        var record = result.Records[0];
        Assert.True(record.IsAggregate);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), record.WindowStart);
        Assert.Equal(record.WindowStart!.Value.AddMinutes(1), record.WindowEnd);
        Assert.Equal("key-1", record.Event.Principal.ApiKeyId!.Value);
    }

    [Fact]
    public async Task Aggregates_are_kept_per_key_outcome_and_minute()
    {
        await using var rig = new AuditRig();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 10, 0, 50, TimeSpan.Zero));
        var writer = rig.NewWriter("gw", time: time);
        for (var i = 0; i < 30; i++)
        {
            writer.Record(AuthDecision(i % 2 == 0 ? "key-1" : "key-2"));
            writer.Record(AuthDecision("key-1", AuditEventOutcome.Denied));
        }

        time.Advance(TimeSpan.FromSeconds(20)); // next minute
        writer.Record(AuthDecision("key-1"));
        await writer.FlushAsync();

        var result = await rig.VerifyAsync();
        Assert.Equal(4, result.Records.Count);
        Assert.Equal(61, result.Records.Sum(r => r.Count));
        Assert.Equal(30, result.Records.Where(r => r.Event.Outcome == AuditEventOutcome.Denied).Sum(r => r.Count));
    }

    [Fact]
    public async Task A_batch_in_doubt_is_stored_once_and_counts_are_not_doubled()
    {
        await using var rig = new AuditRig();
        var faulty = new FaultyObjectStore(rig.Store);
        var writer = rig.NewWriter("gw", store: faulty);
        for (var i = 0; i < 500; i++)
        {
            writer.Record(AuthDecision("key-1", AuditEventOutcome.Denied));
        }

        faulty.Enqueue(ObjectStoreOperations.PutIfAbsent, ObjectStoreFault.FailAfter);
        await writer.FlushAsync();
        Assert.Equal(1, writer.GetStatistics().AggregateFlushFailures);
        await writer.FlushAsync();

        var result = await rig.VerifyAsync();
        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        Assert.Equal(500, result.Records.Sum(r => r.Count));
    }

    [Fact]
    public async Task A_flush_that_could_not_build_its_batch_keeps_the_counts_for_the_next_one()
    {
        await using var rig = new AuditRig();
        var keys = new FlakyKeys(rig.Keys) { FailuresLeft = 1 };
        var writer = new AuditWriter(rig.Store, keys, rig.Checkpointer, new AuditWriterOptions { WriterId = AuditWriterId.Create("gateway", "1") });
        for (var i = 0; i < 500; i++)
        {
            writer.Record(AuthDecision("key-1", AuditEventOutcome.Denied));
        }

        await writer.FlushAsync(); // the sealing key could not be had: nothing stored, counts kept
        Assert.Equal(500, writer.GetStatistics().PendingAggregateCount);
        Assert.Equal(1, writer.GetStatistics().AggregateFlushFailures);
        await writer.DisposeAsync(); // flushes
        Assert.Equal(0, writer.GetStatistics().PendingAggregateCount);

        var result = await rig.VerifyAsync();
        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        Assert.Equal(500, result.Records.Sum(r => r.Count));
    }

    private sealed class FlakyKeys(IAuditKeyProvider inner) : IAuditKeyProvider
    {
        public int FailuresLeft { get; set; }

        public ValueTask<AuditSealingKey> GetSealingKeyAsync(string org, CancellationToken cancellationToken) =>
            FailuresLeft-- > 0 ? throw new AuditException("KeyVault unavailable") : inner.GetSealingKeyAsync(org, cancellationToken);

        public Moat.Storage.Sealing.IDataKeySource GetDataKeySource(string org) => inner.GetDataKeySource(org);
    }

    [Fact]
    public async Task A_flood_of_distinct_principals_is_rate_limited_but_counted()
    {
        await using var rig = new AuditRig();
        var writer = rig.NewWriter("gw", new AuditWriterOptions { WriterId = AuditWriterId.Create("write", "gw"), MaxAggregateBuckets = 10 });
        for (var i = 0; i < 1000; i++)
        {
            writer.Record(AuthDecision($"guess-{i}", AuditEventOutcome.Denied));
        }

        Assert.Equal(990, writer.GetStatistics().OverflowedAggregateCount);
        await writer.FlushAsync();
        var result = await rig.VerifyAsync();
        Assert.True(result.Records.Count <= 12, $"{result.Records.Count} records");
        Assert.Equal(1000, result.Records.Sum(r => r.Count));
        var overflow = Assert.Single(result.Records, r => r.Event.Principal.Kind == AuditPrincipalKind.Unattributed);
        Assert.Equal(990, overflow.Count);
        Assert.Equal(ErrorReason.ApiKeyInvalid, overflow.Event.Reason);
    }
}
