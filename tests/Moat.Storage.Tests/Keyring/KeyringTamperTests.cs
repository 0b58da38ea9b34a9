using System.Buffers.Binary;
using System.Security.Cryptography;
using Moat.Storage.Keyring;

namespace Moat.Storage.Tests.Keyring;

/// <summary>The keyring document is authenticated as a whole: no entry can be changed, dropped, swapped or replayed.</summary>
public sealed class KeyringTamperTests : IDisposable
{
    private const string Ns = "ns-7f3a";
    private const int EntriesOffset = 24 + 7 + 4; // fixed fields, namespace id, DEK count
    private const int EntrySize = 4 + 8 + 2 + 60;  // id, created, wrapped length, AesGcmKeyWrapper output
    private readonly AesGcmKeyWrapper _kek = new(1, RandomNumberGenerator.GetBytes(32));

    public void Dispose() => _kek.Dispose();

    [Fact]
    public void Every_flipped_bit_is_detected()
    {
        using var keyring = ThreeDeks();
        var document = keyring.Serialize();
        for (var bit = 0; bit < document.Length * 8; bit++)
        {
            var tampered = (byte[])document.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            var e = Assert.Throws<KeyringIntegrityException>(() => NamespaceKeyring.Parse(tampered, Ns, 3, _kek));
            Assert.Contains(StoragePaths.Keyring(Ns, 3), e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Truncation_at_every_byte_is_detected()
    {
        using var keyring = ThreeDeks();
        var document = keyring.Serialize();
        for (var length = 0; length < document.Length; length++)
        {
            Assert.Throws<KeyringIntegrityException>(() => NamespaceKeyring.Parse(document[..length], Ns, 3, _kek));
        }
    }

    [Fact]
    public void A_dropped_entry_is_detected()
    {
        using var keyring = ThreeDeks();
        var document = keyring.Serialize();
        var dropped = document[..EntriesOffset].Concat(document[(EntriesOffset + EntrySize)..]).ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(dropped.AsSpan(EntriesOffset - 4), 2);
        var e = Assert.Throws<KeyringIntegrityException>(() => NamespaceKeyring.Parse(dropped, Ns, 3, _kek));
        Assert.Equal(KeyringFailure.AuthenticationFailed, e.Failure);
    }

    [Fact]
    public void Swapped_wrapped_keys_are_detected()
    {
        using var keyring = ThreeDeks();
        var document = keyring.Serialize();
        var swapped = (byte[])document.Clone();
        const int wrappedAt = 4 + 8 + 2;
        document.AsSpan(EntriesOffset + wrappedAt, 60).CopyTo(swapped.AsSpan(EntriesOffset + EntrySize + wrappedAt));
        document.AsSpan(EntriesOffset + EntrySize + wrappedAt, 60).CopyTo(swapped.AsSpan(EntriesOffset + wrappedAt));
        Assert.Equal(KeyringFailure.AuthenticationFailed, Assert.Throws<KeyringIntegrityException>(() => NamespaceKeyring.Parse(swapped, Ns, 3, _kek)).Failure);
    }

    [Fact]
    public void An_entry_replayed_from_an_older_version_is_detected()
    {
        // v1 and v3 both hold DEK 1; splice v1's wrapped DEK 1 into v3.
        using var v1 = NamespaceKeyring.CreateFirst(Ns, _kek);
        using var v2 = v1.AddDataKey(_kek);
        using var v3 = v2.AddDataKey(_kek);
        var spliced = v3.Serialize();
        v1.Serialize().AsSpan(EntriesOffset + 14, 60).CopyTo(spliced.AsSpan(EntriesOffset + 14));
        Assert.Equal(KeyringFailure.AuthenticationFailed, Assert.Throws<KeyringIntegrityException>(() => NamespaceKeyring.Parse(spliced, Ns, 3, _kek)).Failure);

        // Defence in depth: even with a valid authenticator over the spliced entries (which needs the KEK),
        // v1's entry does not unwrap under v3's associated data.
        var v1Entry = KeyringCodec.Read(v1.Serialize(), "v1").Entries[0];
        var v3Entries = KeyringCodec.Read(v3.Serialize(), "v3").Entries.ToArray();
        v3Entries[0] = v1Entry;
        var forged = KeyringCodec.Write(Ns, 3, _kek, v3Entries);
        var e = Assert.Throws<KeyringIntegrityException>(() => NamespaceKeyring.Parse(forged, Ns, 3, _kek));
        Assert.Equal(KeyringFailure.AuthenticationFailed, e.Failure);
        Assert.Contains("DEK 1 did not unwrap", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_moved_to_another_dek_id_does_not_unwrap()
    {
        using var keyring = ThreeDeks();
        var entries = KeyringCodec.Read(keyring.Serialize(), "x").Entries.ToArray();
        (entries[0], entries[1]) = (entries[0] with { Wrapped = entries[1].Wrapped }, entries[1] with { Wrapped = entries[0].Wrapped });
        var forged = KeyringCodec.Write(Ns, 3, _kek, entries);
        Assert.Contains("did not unwrap", Assert.Throws<KeyringIntegrityException>(() => NamespaceKeyring.Parse(forged, Ns, 3, _kek)).Message, StringComparison.Ordinal);
    }

    private NamespaceKeyring ThreeDeks()
    {
        using var v1 = NamespaceKeyring.CreateFirst(Ns, _kek);
        using var v2 = v1.AddDataKey(_kek);
        return v2.AddDataKey(_kek);
    }
}
