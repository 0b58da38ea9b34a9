namespace Moat.Wal;

/// <summary>A WAL object does not hold the entry its key names (wrong namespace or sequence).</summary>
public sealed class WalCorruptException : Exception
{
    public WalCorruptException()
        : this("A WAL entry is corrupt.")
    {
    }

    public WalCorruptException(string message)
        : base(message)
    {
    }

    public WalCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
