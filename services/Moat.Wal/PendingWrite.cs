using Moat.Internal.V1;

namespace Moat.Wal;

/// <summary>One submitted write waiting for its commit.</summary>
internal sealed class PendingWrite(WalWrite write, long? expectedVersion = null)
{
    public WalWrite Write { get; } = write;

    /// <summary>Encoded size of the write (counts towards <see cref="GroupCommitOptions.MaxEntryBytes"/>).</summary>
    public int Size { get; } = write.CalculateSize();

    /// <summary>For a conditional write: the namespace version it must be committed right after (it is committed alone, at exactly this + 1).</summary>
    public long? ExpectedVersion { get; } = expectedVersion;

    public TaskCompletionSource<WalAck> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
