using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Storage.ObjectStore;
using Moat.V1;
using Moat.Wal;
using Moat.Write.Writes;

namespace Moat.Write.Tests;

/// <summary>What a client sees for each failure of the commit (docs/write.md, "Errors of the commit").</summary>
public class WriteErrorsTests
{
    private static MoatException Map(Exception e) => Assert.IsAssignableFrom<MoatException>(WriteErrors.FromWal(e));

    [Fact]
    public void A_full_queue_is_resource_exhausted_with_a_retry_hint()
    {
        var e = Map(new WalQueueFullException("ns_1", 1024, "the namespace"));
        Assert.Equal((StatusCode.ResourceExhausted, ErrorReason.WriteQueueFull), (e.Status, e.Reason));
        Assert.True(e.Metadata.ContainsKey("retry_after_ms"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_failed_commit_is_unavailable_and_says_whether_it_may_have_been_applied(bool mayHave)
    {
        var e = Map(new WalCommitException("ns_1", 7, mayHave, "no answer", new ObjectStoreTimeoutException("slow")));
        Assert.Equal((StatusCode.Unavailable, ErrorReason.UpstreamUnavailable), (e.Status, e.Reason));
        Assert.Equal(mayHave ? "true" : "false", e.Metadata["may_have_been_applied"]);
    }

    [Fact]
    public void A_condition_that_did_not_hold_names_the_current_version()
    {
        var e = Map(new WalConditionFailedException("ns_1", 3, 5));
        Assert.Equal((StatusCode.FailedPrecondition, ErrorReason.ConditionFailed), (e.Status, e.Reason));
        Assert.Equal("5", e.Metadata["current_version"]);
    }

    [Fact]
    public void A_key_refused_at_sealing_time_passes_keyvaults_reason_through()
    {
        var disabled = new MoatException(StatusCode.FailedPrecondition, ErrorReason.KeyDisabled, "the key is disabled");
        var e = Map(new WalCommitException("ns_1", 0, false, "seal refused", disabled));
        Assert.Same(disabled, e);
    }
}
