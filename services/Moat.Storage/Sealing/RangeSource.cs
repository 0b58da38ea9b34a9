namespace Moat.Storage.Sealing;

/// <summary>Adapters that turn a delegate or bytes in memory into an <see cref="IRangeSource"/>.</summary>
public static class RangeSource
{
    /// <summary>A range source over a fetch delegate (offset, length, cancellation) → bytes.</summary>
    public static IRangeSource FromDelegate(Func<long, int, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> fetch)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        return new DelegateSource(fetch);
    }

    /// <summary>A range source over a whole stored object already in memory.</summary>
    public static IRangeSource FromMemory(ReadOnlyMemory<byte> stored) => new MemorySource(stored);

    private sealed class DelegateSource(Func<long, int, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> fetch) : IRangeSource
    {
        public ValueTask<ReadOnlyMemory<byte>> ReadAsync(long offset, int length, CancellationToken cancellationToken) =>
            fetch(offset, length, cancellationToken);
    }

    private sealed class MemorySource(ReadOnlyMemory<byte> stored) : IRangeSource
    {
        public ValueTask<ReadOnlyMemory<byte>> ReadAsync(long offset, int length, CancellationToken cancellationToken)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(offset);
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            if (offset >= stored.Length)
            {
                return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
            }

            var start = (int)offset;
            return ValueTask.FromResult(stored.Slice(start, Math.Min(length, stored.Length - start)));
        }
    }
}
