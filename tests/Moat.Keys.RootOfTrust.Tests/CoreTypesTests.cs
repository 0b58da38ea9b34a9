using System.Security.Cryptography;

namespace Moat.Keys.RootOfTrust.Tests;

public sealed class CoreTypesTests
{
    [Fact]
    public void A_context_encodes_canonically_whatever_the_order_of_its_pairs()
    {
        var a = RootKeyContext.Create(new Dictionary<string, string> { ["moat:org"] = "o", ["moat:namespace"] = "n", ["x"] = "1" });
        var b = RootKeyContext.ForNamespace("o", "n").With("x", "1");

        Assert.Equal(a, b);
        Assert.True(a.ToCanonicalBytes().SequenceEqual(b.ToCanonicalBytes()));
        Assert.NotEqual(RootKeyContext.ForNamespace("o", "n1"), RootKeyContext.ForNamespace("o1", "n"));
    }

    [Fact]
    public void Context_fields_cannot_be_shifted_into_each_other()
    {
        // Length prefixes: ("ab", "c") and ("a", "bc") are different contexts.
        Assert.NotEqual(RootKeyContext.ForNamespace("ab", "c"), RootKeyContext.ForNamespace("a", "bc"));
    }

    [Fact]
    public void A_context_needs_the_org_and_the_namespace()
    {
        Assert.Throws<ArgumentException>(() => RootKeyContext.Create(new Dictionary<string, string> { ["moat:org"] = "o" }));
        Assert.Throws<ArgumentException>(() => RootKeyContext.ForNamespace("", "n"));
    }

    [Fact]
    public void A_wrapped_key_encodes_and_decodes()
    {
        var wrapped = new WrappedKey("aws-kms", "arn:aws:kms:eu-west-1:1:key/x", "3", "SYMMETRIC_DEFAULT", RandomNumberGenerator.GetBytes(77));

        var decoded = WrappedKey.Decode(wrapped.Encode());

        Assert.Equal(wrapped, decoded);
    }

    [Fact]
    public void A_truncated_or_foreign_wrapped_key_is_a_format_error()
    {
        var encoded = new WrappedKey("pkcs11", "root", "", "AES-256-GCM", new byte[60]).Encode();

        Assert.Throws<FormatException>(() => WrappedKey.Decode(encoded.AsSpan(0, encoded.Length - 1)));
        Assert.Throws<FormatException>(() => WrappedKey.Decode(encoded.AsSpan(0, 9)));
        Assert.Throws<FormatException>(() => WrappedKey.Decode("MOAT\u0001"u8));
    }

    [Fact]
    public void Secret_bytes_are_zeroed_on_dispose_and_unreadable_after()
    {
        var secret = SecretBytes.Random(32);
        var view = secret.Memory;
        Assert.False(view.Span.SequenceEqual(new byte[32]));

        secret.Dispose();

        Assert.True(view.Span.SequenceEqual(new byte[32]));
        Assert.Throws<ObjectDisposedException>(() => secret.Span.Length);
        Assert.DoesNotContain("0x", secret.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("root", true)]
    [InlineData("customer-42.v1", true)]
    [InlineData("", false)]
    [InlineData("Root", false)]
    [InlineData("../x", false)]
    [InlineData("a..b", false)]
    [InlineData("a/b", false)]
    public void Root_key_labels_are_safe_names(string label, bool valid) => Assert.Equal(valid, RootKeyLabel.IsValid(label));
}
