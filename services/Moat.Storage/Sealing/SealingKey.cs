using System.Security.Cryptography;

namespace Moat.Storage.Sealing;

/// <summary>
/// A DEK lent for sealing: the keyring version that holds it, its id and its 32 bytes. The lender
/// decides what disposing does: a lease made of an owned copy zeroes it (<see cref="Owned"/>); a
/// borrowed view (<see cref="Borrowed"/>) leaves the memory to its owner.
/// </summary>
public sealed class SealingKey : IDisposable
{
    private readonly byte[]? _owned;
    private readonly IDisposable? _owner;

    private SealingKey(long keyringVersion, uint dekId, ReadOnlyMemory<byte> key, byte[]? owned, IDisposable? owner)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keyringVersion);
        if (key.Length != 32)
        {
            throw new ArgumentException("A DEK is 32 bytes.", nameof(key));
        }

        KeyringVersion = keyringVersion;
        DekId = dekId;
        Key = key;
        _owned = owned;
        _owner = owner;
    }

    /// <summary>Keyring version holding the DEK (written into sealed headers).</summary>
    public long KeyringVersion { get; }

    /// <summary>The DEK's id in the keyring.</summary>
    public uint DekId { get; }

    /// <summary>The 32 key bytes; valid until disposed.</summary>
    public ReadOnlyMemory<byte> Key { get; }

    /// <summary>A lease of <paramref name="copy"/>, which this object owns and zeroes when disposed.</summary>
    public static SealingKey Owned(long keyringVersion, uint dekId, byte[] copy) => new(keyringVersion, dekId, copy, copy, null);

    /// <summary>A view of memory someone else owns (disposing does nothing to it, or disposes <paramref name="owner"/>).</summary>
    public static SealingKey Borrowed(long keyringVersion, uint dekId, ReadOnlyMemory<byte> key, IDisposable? owner = null) =>
        new(keyringVersion, dekId, key, null, owner);

    public void Dispose()
    {
        if (_owned is not null)
        {
            CryptographicOperations.ZeroMemory(_owned);
        }

        _owner?.Dispose();
    }
}
