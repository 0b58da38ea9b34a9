using System.Security.Cryptography;
using Moat.Storage.Keyring;
using Moat.Storage.Sealing;

namespace Moat.Storage.Tests.Keyring;

public sealed class NamespaceKeyringTests : IDisposable
{
    private const string Ns = "ns-7f3a";
    private readonly AesGcmKeyWrapper _kek1 = new(1, RandomNumberGenerator.GetBytes(32));
    private readonly AesGcmKeyWrapper _kek2 = new(2, RandomNumberGenerator.GetBytes(32));

    public void Dispose()
    {
        _kek1.Dispose();
        _kek2.Dispose();
    }

    [Fact]
    public void The_first_keyring_holds_one_dek_and_round_trips()
    {
        using var keyring = NamespaceKeyring.CreateFirst(Ns, _kek1);
        Assert.Equal(1, keyring.Version);
        Assert.Equal(1, keyring.KekVersion);
        Assert.Equal("v1/ns/ns-7f3a/keyring/00000000000000000001", keyring.StoragePath);
        var dek = Assert.Single(keyring.DataKeys);
        Assert.Equal(1u, dek.Id);

        var document = keyring.Serialize();
        using var parsed = NamespaceKeyring.Parse(document, Ns, 1, _kek1);
        Assert.Equal(keyring.DataKeys, parsed.DataKeys);
        Assert.True(keyring.TryGetDataKey(1, out var a));
        Assert.True(parsed.TryGetDataKey(1, out var b));
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.Equal(32, a.Length);
        Assert.Equal(document, parsed.Serialize());
    }

    [Fact]
    public void The_document_holds_no_plaintext_key()
    {
        using var keyring = NamespaceKeyring.CreateFirst(Ns, _kek1);
        keyring.TryGetDataKey(1, out var dek);
        var document = keyring.Serialize();
        Assert.Equal(-1, document.AsSpan().IndexOf(dek.Span[..8]));
    }

    [Fact]
    public void Adding_a_dek_makes_a_new_version_that_keeps_the_old_deks()
    {
        var time = new FixedTime(DateTimeOffset.Parse("2030-01-02T03:04:05.678Z", System.Globalization.CultureInfo.InvariantCulture));
        using var v1 = NamespaceKeyring.CreateFirst(Ns, _kek1, time);
        using var v2 = v1.AddDataKey(_kek1, time);
        Assert.Equal(2, v2.Version);
        Assert.Equal([1u, 2u], v2.DataKeys.Select(k => k.Id));
        Assert.Equal(2u, v2.CurrentDataKey.Id);
        Assert.Equal(time.GetUtcNow(), v2.CurrentDataKey.CreatedAt);
        v1.TryGetDataKey(1, out var old);
        v2.TryGetDataKey(1, out var kept);
        v2.TryGetDataKey(2, out var fresh);
        Assert.Equal(old.ToArray(), kept.ToArray());
        Assert.NotEqual(old.ToArray(), fresh.ToArray());

        using var parsed = NamespaceKeyring.Parse(v2.Serialize(), Ns, 2, _kek1);
        Assert.Equal(v2.DataKeys, parsed.DataKeys);
        Assert.Throws<ArgumentException>(() => v2.AddDataKey(_kek2));
    }

    [Fact]
    public async Task Rewrapping_under_a_new_kek_keeps_every_dek_and_objects_stay_readable()
    {
        using var v1 = NamespaceKeyring.CreateFirst(Ns, _kek1);
        using var v2 = v1.AddDataKey(_kek1);
        v2.TryGetDataKey(v2.CurrentDataKey.Id, out var dek);
        var plaintext = RandomNumberGenerator.GetBytes(10_000);
        var path = StoragePaths.WalEntry(Ns, 1);
        var stored = SealedObjectWriter.Seal(plaintext, path, v2.Version, v2.CurrentDataKey.Id, dek.Span);

        using var v3 = v2.Rewrap(_kek2);
        Assert.Equal(3, v3.Version);
        Assert.Equal(2, v3.KekVersion);
        Assert.Equal(v2.DataKeys, v3.DataKeys);

        var document = v3.Serialize();
        using var parsed = NamespaceKeyring.Parse(document, Ns, 3, _kek2);
        Assert.Equal(plaintext, await SealedObjectReader.UnsealAsync(stored, path, parsed));

        var e = Assert.Throws<KeyringIntegrityException>(() => NamespaceKeyring.Parse(document, Ns, 3, _kek1));
        Assert.Equal(KeyringFailure.KekVersionMismatch, e.Failure);
        Assert.Throws<ArgumentException>(() => v3.Rewrap(_kek1));
    }

    [Fact]
    public void A_wrong_kek_is_refused()
    {
        using var keyring = NamespaceKeyring.CreateFirst(Ns, _kek1);
        using var impostor = new AesGcmKeyWrapper(1, RandomNumberGenerator.GetBytes(32));
        var e = Assert.Throws<KeyringIntegrityException>(() => NamespaceKeyring.Parse(keyring.Serialize(), Ns, 1, impostor));
        Assert.Equal(KeyringFailure.AuthenticationFailed, e.Failure);
        Assert.Contains(keyring.StoragePath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_keyring_read_at_another_path_is_refused()
    {
        using var v1 = NamespaceKeyring.CreateFirst(Ns, _kek1);
        using var v2 = v1.AddDataKey(_kek1);
        var document = v2.Serialize();
        Assert.Equal(KeyringFailure.WrongIdentity, Assert.Throws<KeyringIntegrityException>(() => NamespaceKeyring.Parse(document, Ns, 3, _kek1)).Failure);
        Assert.Equal(KeyringFailure.WrongIdentity, Assert.Throws<KeyringIntegrityException>(() => NamespaceKeyring.Parse(document, "ns-other", 2, _kek1)).Failure);
    }

    [Fact]
    public async Task As_a_key_source_it_answers_only_for_deks_it_holds_at_or_before_its_version()
    {
        using var v1 = NamespaceKeyring.CreateFirst(Ns, _kek1);
        IDataKeySource source = v1;
        Assert.NotNull(await source.GetDataKeyAsync(1, 1, default));
        Assert.Null(await source.GetDataKeyAsync(1, 2, default));
        Assert.Null(await source.GetDataKeyAsync(2, 1, default));
    }

    [Fact]
    public void Dispose_zeroes_the_keys_in_memory()
    {
        var keyring = NamespaceKeyring.CreateFirst(Ns, _kek1);
        keyring.TryGetDataKey(1, out var dek);
        Assert.Contains(dek.ToArray(), b => b != 0);
        keyring.Dispose();
        Assert.All(dek.ToArray(), b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => keyring.TryGetDataKey(1, out _));
    }

    [Fact]
    public void Namespace_ids_are_opaque_path_segments()
    {
        Assert.Throws<ArgumentException>(() => NamespaceKeyring.CreateFirst("a/b", _kek1));
        Assert.Throws<ArgumentException>(() => NamespaceKeyring.CreateFirst("", _kek1));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
