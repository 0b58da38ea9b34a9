using Moat.V1;

namespace Moat.Write.Idempotency;

/// <summary>Where a ticket's outcome goes (the namespace's key table).</summary>
internal interface IIdempotencyTicketOwner
{
    void Complete(string key, TaskCompletionSource<WriteResponse> result, WriteResponse response, byte[] hash, DateTimeOffset committedAt);

    void Fail(string key, TaskCompletionSource<WriteResponse> result, Exception failure);
}

/// <summary>A write being applied under an idempotency key: complete it with its result, or fail it, exactly once.</summary>
internal sealed class IdempotencyTicket(IIdempotencyTicketOwner owner, string key, TaskCompletionSource<WriteResponse> result)
{
    /// <summary>The write committed: later duplicates replay <paramref name="response"/>.</summary>
    public void Complete(WriteResponse response, byte[] requestHash, DateTimeOffset committedAt) => owner.Complete(key, result, response, requestHash, committedAt);

    /// <summary>The write did not commit (or may not have): duplicates waiting on it look again.</summary>
    public void Fail(Exception failure) => owner.Fail(key, result, failure);
}
