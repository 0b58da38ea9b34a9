using System.Security.Cryptography;

namespace Moat.Keys.RootOfTrust;

/// <summary>
/// Key material in memory: one buffer on the pinned object heap (the GC never moves it, so no stray
/// copies are left behind), zeroed with <see cref="CryptographicOperations.ZeroMemory"/> on
/// <see cref="Dispose"/>. Reading it after disposal throws.
/// </summary>
public sealed class SecretBytes : IDisposable
{
    private readonly byte[] _buffer;
    private int _disposed;

    private SecretBytes(int length)
    {
        _buffer = GC.AllocateUninitializedArray<byte>(length, pinned: true);
    }

    /// <summary>Copies <paramref name="source"/>; the caller zeroes its own copy.</summary>
    public static SecretBytes CopyFrom(ReadOnlySpan<byte> source)
    {
        var secret = new SecretBytes(source.Length);
        source.CopyTo(secret._buffer);
        return secret;
    }

    /// <summary>Fresh random key material from <see cref="RandomNumberGenerator"/> (e.g. a new KEK).</summary>
    public static SecretBytes Random(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var secret = new SecretBytes(length);
        RandomNumberGenerator.Fill(secret._buffer);
        return secret;
    }

    public int Length => _buffer.Length;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The key bytes. Do not keep the span (or copies) beyond the lifetime of this object.</summary>
    public ReadOnlySpan<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            return _buffer;
        }
    }

    /// <summary>The key bytes as memory, for asynchronous APIs. Same rule as <see cref="Span"/>.</summary>
    public ReadOnlyMemory<byte> Memory
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            return _buffer;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            CryptographicOperations.ZeroMemory(_buffer);
        }
    }

    /// <summary>Never prints the key.</summary>
    public override string ToString() => $"SecretBytes({Length} bytes)";
}
