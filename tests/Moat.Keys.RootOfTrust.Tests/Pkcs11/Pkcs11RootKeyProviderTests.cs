using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Moat.Keys.RootOfTrust.Pkcs11;
using Moat.Keys.RootOfTrust.Tests.Support;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Moat.Keys.RootOfTrust.Tests.Pkcs11;

[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11RootKeyProviderTests(SoftHsmFixture hsm)
{
    private static readonly RootKeyContext Context = RootKeyContext.ForNamespace("org-a", "ns-1");

    [Fact]
    public async Task A_root_key_is_created_sensitive_never_extractable_on_the_token()
    {
        using var provider = hsm.Provider();
        var id = await provider.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("attrs"));

        var values = provider.WithSession(session =>
        {
            var key = provider.FindKey(session, id);
            var attributes = session.GetAttributeValue(key, [CKA.CKA_TOKEN, CKA.CKA_PRIVATE, CKA.CKA_SENSITIVE, CKA.CKA_EXTRACTABLE,
                CKA.CKA_ALWAYS_SENSITIVE, CKA.CKA_NEVER_EXTRACTABLE, CKA.CKA_WRAP, CKA.CKA_UNWRAP, CKA.CKA_VALUE_LEN]);
            return attributes.Select(a => a.Type == (ulong)CKA.CKA_VALUE_LEN ? a.GetValueAsUlong() : (a.GetValueAsBool() ? 1UL : 0UL)).ToArray();
        });

        Assert.Equal([1UL, 1, 1, 0, 1, 1, 0, 0, 32], values);
        Assert.True(await provider.ExistsAsync(id));
    }

    [Fact]
    public async Task The_root_key_value_cannot_be_read()
    {
        using var provider = hsm.Provider();
        var id = await provider.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("read"));

        // C_GetAttributeValue answers CKR_ATTRIBUTE_SENSITIVE with length CK_UNAVAILABLE_INFORMATION;
        // Pkcs11Interop reports that per attribute as CannotBeRead and refuses to give a value.
        var (cannotBeRead, valueRefused) = provider.WithSession(session =>
        {
            var key = provider.FindKey(session, id);
            var value = session.GetAttributeValue(key, [CKA.CKA_VALUE])[0];
            var refused = Record.Exception(() => value.GetValueAsByteArray()) is AttributeValueException;
            return (value.CannotBeRead, refused);
        });

        Assert.True(cannotBeRead);
        Assert.True(valueRefused);
    }

    [Fact]
    public async Task The_root_key_cannot_be_wrapped_out_of_the_token()
    {
        using var provider = hsm.Provider();
        var id = await provider.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("export"));
        var factories = provider.Factories;

        var refusal = provider.WithSession(session =>
        {
            var rootKey = provider.FindKey(session, id);
            var attributes = factories.ObjectAttributeFactory;
            // An attacker's wrapping key: a session key allowed to wrap anything.
            using var generate = factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
            var wrappingKey = session.GenerateKey(generate,
            [
                attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                attributes.Create(CKA.CKA_VALUE_LEN, 32UL),
                attributes.Create(CKA.CKA_TOKEN, false),
                attributes.Create(CKA.CKA_WRAP, true),
                attributes.Create(CKA.CKA_EXTRACTABLE, true),
                attributes.Create(CKA.CKA_SENSITIVE, false),
            ]);
            try
            {
                using var wrap = factories.MechanismFactory.Create(CKM.CKM_AES_KEY_WRAP_PAD);
                session.WrapKey(wrap, wrappingKey, rootKey);
                return CKR.CKR_OK;
            }
            catch (Pkcs11Exception e)
            {
                return e.RV;
            }
            finally
            {
                session.DestroyObject(wrappingKey);
            }
        });

        Assert.Equal(CKR.CKR_KEY_UNEXTRACTABLE, refusal);
    }

    [Fact]
    public async Task The_root_key_cannot_be_made_extractable_or_non_sensitive()
    {
        using var provider = hsm.Provider();
        var id = await provider.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("modify"));
        var attributes = provider.Factories.ObjectAttributeFactory;

        foreach (var change in new[] { attributes.Create(CKA.CKA_EXTRACTABLE, true), attributes.Create(CKA.CKA_SENSITIVE, false) })
        {
            var refusal = provider.WithSession(session =>
            {
                var key = provider.FindKey(session, id);
                try
                {
                    session.SetAttributeValue(key, [change]);
                    return CKR.CKR_OK;
                }
                catch (Pkcs11Exception e)
                {
                    return e.RV;
                }
            });

            Assert.NotEqual(CKR.CKR_OK, refusal);
        }

        // And the key is still usable afterwards.
        await provider.WrapAsync(id, new byte[32], Context);
    }

    [Fact]
    public async Task A_32_byte_kek_round_trips_and_the_ciphertext_hides_it()
    {
        using var provider = hsm.Provider();
        var id = await provider.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("trip"));
        using var kek = SecretBytes.Random(32);

        var wrapped = await provider.WrapAsync(id, kek.Memory, Context);
        using var unwrapped = await provider.UnwrapAsync(wrapped, Context);

        Assert.Equal("pkcs11", wrapped.Provider);
        Assert.Equal(id, wrapped.RootKeyId);
        Assert.Equal(RootWrapFormat.AesGcm, wrapped.Mechanism);
        Assert.Equal(12 + 32 + 16, wrapped.Ciphertext.Length);
        Assert.True(kek.Span.SequenceEqual(unwrapped.Span));
        Assert.Equal(-1, wrapped.Ciphertext.Span.IndexOf(kek.Span[..8]));

        var again = await provider.WrapAsync(id, kek.Memory, Context);
        Assert.False(again.Ciphertext.Span.SequenceEqual(wrapped.Ciphertext.Span));
    }

    [Theory]
    [InlineData("org-b", "ns-1")]
    [InlineData("org-a", "ns-2")]
    [InlineData("org-a", "ns-1", "moat:kek-version", "2")]
    public async Task A_wrapped_kek_moved_to_another_org_or_namespace_does_not_unwrap(string org, string ns, string? extraKey = null, string? extraValue = null)
    {
        using var provider = hsm.Provider();
        var id = await provider.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("bind"));
        var wrapped = await provider.WrapAsync(id, RandomNumberGenerator.GetBytes(32), Context);
        var other = RootKeyContext.ForNamespace(org, ns);
        if (extraKey is not null)
        {
            other = other.With(extraKey, extraValue!);
        }

        var error = await Assert.ThrowsAsync<RootOfTrustException>(() => provider.UnwrapAsync(wrapped, other));

        Assert.Equal(RootOfTrustFailure.UnwrapFailed, error.Reason);
        Assert.Contains("does not authenticate", error.Message, StringComparison.Ordinal);
        // The right context still works on the same provider (the failure left no broken session behind).
        using var ok = await provider.UnwrapAsync(wrapped, Context);
    }

    [Fact]
    public async Task Altered_ciphertext_or_another_root_key_does_not_unwrap()
    {
        using var provider = hsm.Provider();
        var a = await provider.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("alter-a"));
        var b = await provider.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("alter-b"));
        var wrapped = await provider.WrapAsync(a, RandomNumberGenerator.GetBytes(32), Context);
        var bytes = wrapped.Ciphertext.ToArray();
        bytes[20] ^= 1;

        var altered = await Assert.ThrowsAsync<RootOfTrustException>(() =>
            provider.UnwrapAsync(new WrappedKey("pkcs11", a, "", RootWrapFormat.AesGcm, bytes), Context));
        var moved = await Assert.ThrowsAsync<RootOfTrustException>(() =>
            provider.UnwrapAsync(new WrappedKey("pkcs11", b, "", RootWrapFormat.AesGcm, wrapped.Ciphertext), Context));

        Assert.Equal(RootOfTrustFailure.UnwrapFailed, altered.Reason);
        Assert.Equal(RootOfTrustFailure.UnwrapFailed, moved.Reason);
    }

    [Fact]
    public async Task After_the_module_is_finalized_and_reloaded_an_earlier_wrap_still_unwraps()
    {
        string id;
        WrappedKey wrapped;
        var kek = RandomNumberGenerator.GetBytes(32);
        using (var first = hsm.Provider())
        {
            id = await first.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("restart"));
            wrapped = WrappedKey.Decode((await first.WrapAsync(id, kek, Context)).Encode());
        }

        // The last lease is gone: C_Finalize ran and the module was unloaded.
        Assert.Equal(0, Pkcs11Libraries.LoadedCount);

        using var second = hsm.Provider();
        using var unwrapped = await second.UnwrapAsync(wrapped, Context);
        Assert.True(unwrapped.Span.SequenceEqual(kek));
    }

    [Fact]
    public async Task A_wrap_made_here_unwraps_in_a_fresh_process_and_back()
    {
        using var provider = hsm.Provider();
        var id = await provider.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("process"));
        var kek = RandomNumberGenerator.GetBytes(32);
        var wrapped = await provider.WrapAsync(id, kek, Context);

        var unwrap = await Probe.RunAsync(hsm, "unwrap", SoftHsmFixture.Library, hsm.TokenLabel, hsm.PinFile,
            Convert.ToBase64String(wrapped.Encode()), "org-a", "ns-1");
        Assert.True(unwrap.ExitCode == 0, unwrap.Stderr);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(kek)), unwrap.Stdout);

        var wrap = await Probe.RunAsync(hsm, "wrap", SoftHsmFixture.Library, hsm.TokenLabel, hsm.PinFile, id, "org-a", "ns-1", Convert.ToHexString(kek));
        Assert.True(wrap.ExitCode == 0, wrap.Stderr);
        using var back = await provider.UnwrapAsync(WrappedKey.Decode(Convert.FromBase64String(wrap.Stdout)), Context);
        Assert.True(back.Span.SequenceEqual(kek));

        var otherOrg = await Probe.RunAsync(hsm, "unwrap", SoftHsmFixture.Library, hsm.TokenLabel, hsm.PinFile,
            Convert.ToBase64String(wrapped.Encode()), "org-b", "ns-1");
        Assert.Equal(2, otherOrg.ExitCode);
        Assert.StartsWith("UnwrapFailed:", otherOrg.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Destroy_removes_the_key_and_later_unwraps_fail_clearly()
    {
        using var provider = hsm.Provider();
        var id = await provider.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("destroy"));
        var wrapped = await provider.WrapAsync(id, RandomNumberGenerator.GetBytes(32), Context);

        await provider.DestroyRootKeyAsync(id);

        Assert.False(await provider.ExistsAsync(id));
        var unwrap = await Assert.ThrowsAsync<RootOfTrustException>(() => provider.UnwrapAsync(wrapped, Context));
        Assert.Equal(RootOfTrustFailure.KeyNotFound, unwrap.Reason);
        Assert.Contains($"'{id}' does not exist", unwrap.Message, StringComparison.Ordinal);
        var again = await Assert.ThrowsAsync<RootOfTrustException>(() => provider.DestroyRootKeyAsync(id));
        Assert.Equal(RootOfTrustFailure.KeyNotFound, again.Reason);

        // Another process does not see it either.
        var probe = await Probe.RunAsync(hsm, "unwrap", SoftHsmFixture.Library, hsm.TokenLabel, hsm.PinFile,
            Convert.ToBase64String(wrapped.Encode()), "org-a", "ns-1");
        Assert.StartsWith("KeyNotFound:", probe.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_concurrent_callers_share_a_small_session_pool()
    {
        using var provider = hsm.Provider(maxSessions: 3);
        var id = await provider.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("concurrent"));

        var results = await Task.WhenAll(Enumerable.Range(0, 48).Select(i => Task.Run(async () =>
        {
            var context = RootKeyContext.ForNamespace("org-c", $"ns-{i}");
            var nonces = new List<string>();
            for (var round = 0; round < 8; round++)
            {
                var kek = RandomNumberGenerator.GetBytes(32);
                var wrapped = await provider.WrapAsync(id, kek, context);
                using var back = await provider.UnwrapAsync(wrapped, context);
                if (!back.Span.SequenceEqual(kek))
                {
                    return null;
                }

                nonces.Add(Convert.ToHexString(wrapped.Ciphertext.Span[..12]));
            }

            return nonces;
        })));

        Assert.All(results, Assert.NotNull);
        var all = results.SelectMany(r => r!).ToList();
        Assert.Equal(48 * 8, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public async Task Creating_a_label_twice_is_refused()
    {
        using var provider = hsm.Provider();
        var id = await provider.CreateRootKeyAsync(SoftHsmFixture.NewKeyId("twice"));

        var error = await Assert.ThrowsAsync<RootOfTrustException>(() => provider.CreateRootKeyAsync(id));

        Assert.Equal(RootOfTrustFailure.KeyAlreadyExists, error.Reason);
    }

    [Fact]
    public async Task A_key_made_by_hand_that_could_be_exported_is_refused()
    {
        using var provider = hsm.Provider();
        var id = SoftHsmFixture.NewKeyId("handmade");
        var factories = provider.Factories;
        provider.WithSession(session =>
        {
            var attributes = factories.ObjectAttributeFactory;
            using var generate = factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
            return session.GenerateKey(generate,
            [
                attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                attributes.Create(CKA.CKA_VALUE_LEN, 32UL),
                attributes.Create(CKA.CKA_TOKEN, true),
                attributes.Create(CKA.CKA_LABEL, "moat-" + id),
                attributes.Create(CKA.CKA_ENCRYPT, true),
                attributes.Create(CKA.CKA_DECRYPT, true),
                attributes.Create(CKA.CKA_EXTRACTABLE, true),
                attributes.Create(CKA.CKA_SENSITIVE, false),
            ]);
        });

        var error = await Assert.ThrowsAsync<RootOfTrustException>(() => provider.WrapAsync(id, new byte[32], Context));

        Assert.Equal(RootOfTrustFailure.DeviceError, error.Reason);
        Assert.Contains("not a protected AES-256 key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_wrapped_by_another_provider_is_refused_by_name()
    {
        using var provider = hsm.Provider();
        var foreign = new WrappedKey("dev-file", "root", "", RootWrapFormat.AesGcm, new byte[60]);

        var error = await Assert.ThrowsAsync<RootOfTrustException>(() => provider.UnwrapAsync(foreign, Context));

        Assert.Equal(RootOfTrustFailure.WrongProvider, error.Reason);
    }

    [Fact]
    public void A_wrong_pin_is_a_clear_error_that_does_not_show_the_pin()
    {
        const string wrongPin = "31415926";
        var pinFile = hsm.WritePinFile("wrong-pin", wrongPin);

        var error = Assert.Throws<RootOfTrustException>(() =>
            new Pkcs11RootKeyProvider(hsm.Options(tokenLabel: hsm.SpareTokenLabel, pinFile: pinFile), NullLogger<Pkcs11RootKeyProvider>.Instance));

        Assert.Equal(RootOfTrustFailure.LoginFailed, error.Reason);
        Assert.Contains("the PIN is wrong", error.Message, StringComparison.Ordinal);
        Assert.Contains("CKR_PIN_INCORRECT", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongPin, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(hsm.Pin, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, Pkcs11Libraries.LoadedCount);
    }

    [Fact]
    public async Task The_pin_can_come_from_an_environment_variable()
    {
        var variable = "MOAT_TEST_PIN_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3));
        Environment.SetEnvironmentVariable(variable, hsm.Pin);
        try
        {
            var options = hsm.Options();
            options.PinFile = null;
            options.PinEnvironmentVariable = variable;
            using var provider = new Pkcs11RootKeyProvider(options, NullLogger<Pkcs11RootKeyProvider>.Instance);

            Assert.False(await provider.ExistsAsync("never-made"));
            Assert.DoesNotContain(hsm.Pin, provider.ToString(), StringComparison.Ordinal);
            Assert.Contains($"***(env {variable})", provider.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void An_unknown_token_label_names_the_tokens_present()
    {
        var error = Assert.Throws<RootOfTrustException>(() =>
            new Pkcs11RootKeyProvider(hsm.Options(tokenLabel: "no-such-token"), NullLogger<Pkcs11RootKeyProvider>.Instance));

        Assert.Equal(RootOfTrustFailure.TokenNotFound, error.Reason);
        Assert.Contains("Moat:RootOfTrust:Pkcs11:TokenLabel", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{hsm.TokenLabel}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("SOFTHSM2_CONF", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_library_is_named()
    {
        var options = hsm.Options();
        options.LibraryPath = "/nonexistent/libvendor-pkcs11.so";

        var error = Assert.Throws<RootOfTrustException>(() => new Pkcs11RootKeyProvider(options, NullLogger<Pkcs11RootKeyProvider>.Instance));

        Assert.Equal(RootOfTrustFailure.LibraryNotFound, error.Reason);
        Assert.Contains("Moat:RootOfTrust:Pkcs11:LibraryPath", error.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/libvendor-pkcs11.so", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_pkcs11_library_is_named()
    {
        var options = hsm.Options();
        options.LibraryPath = hsm.PinFile;

        var error = Assert.Throws<RootOfTrustException>(() => new Pkcs11RootKeyProvider(options, NullLogger<Pkcs11RootKeyProvider>.Instance));

        Assert.Equal(RootOfTrustFailure.LibraryNotFound, error.Reason);
        Assert.DoesNotContain(hsm.Pin, error.ToString(), StringComparison.Ordinal);
    }
}
