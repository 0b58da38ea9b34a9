using System.Buffers;
using System.Security.Cryptography;
using Google.Protobuf;
using Moat.Internal.V1;

namespace Moat.Wal;

/// <summary>
/// One submitted write waiting for its commit, already in protobuf form: it is encoded once, on the
/// submitter's thread, and every entry (and re-seal after a lost race) copies these bytes instead of
/// encoding the write again.
/// </summary>
internal sealed class PendingWrite
{
    private byte[]? _encoded;

    public PendingWrite(WalWrite write, long? expectedVersion = null)
    {
        ExpectedVersion = expectedVersion;
        Size = write.CalculateSize();
        _encoded = ArrayPool<byte>.Shared.Rent(Size);
        write.WriteTo(_encoded.AsSpan(0, Size));
    }

    /// <summary>Encoded size of the write (counts towards <see cref="GroupCommitOptions.MaxEntryBytes"/>).</summary>
    public int Size { get; }

    /// <summary>The encoded write; valid until <see cref="ReleaseEncoded"/>.</summary>
    public ReadOnlyMemory<byte> Encoded => (_encoded ?? throw new ObjectDisposedException(nameof(PendingWrite))).AsMemory(0, Size);

    /// <summary>For a conditional write: the namespace version it must be committed right after (it is committed alone, at exactly this + 1).</summary>
    public long? ExpectedVersion { get; }

    public TaskCompletionSource<WalAck> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Clears the encoded bytes (customer data) and returns the buffer to the pool; once the write is settled.</summary>
    public void ReleaseEncoded()
    {
        var encoded = Interlocked.Exchange(ref _encoded, null);
        if (encoded is not null)
        {
            CryptographicOperations.ZeroMemory(encoded.AsSpan(0, Size));
            ArrayPool<byte>.Shared.Return(encoded);
        }
    }
}
