using Moat.Internal.V1;

namespace Moat.Wal;

/// <summary>One submitted write waiting for its commit.</summary>
internal sealed class PendingWrite(WalWrite write)
{
    public WalWrite Write { get; } = write;

    /// <summary>Encoded size of the write (counts towards <see cref="GroupCommitOptions.MaxEntryBytes"/>).</summary>
    public int Size { get; } = write.CalculateSize();

    public TaskCompletionSource<WalAck> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
