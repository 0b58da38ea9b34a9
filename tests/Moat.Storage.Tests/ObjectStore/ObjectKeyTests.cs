using Moat.Storage.ObjectStore;

namespace Moat.Storage.Tests.ObjectStore;

public sealed class ObjectKeyTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("v1/ns/0f3a/wal/00000000000000000001")]
    [InlineData("v1/audit/org-1/writer.2/batch")]
    [InlineData("..hidden/x..y")]
    [InlineData("with space/and=symbols+~@,")]
    public void Valid_keys_pass(string key)
    {
        ObjectKey.Validate(key);
        Assert.True(ObjectKey.IsValid(key));
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("/etc/passwd", "must be relative")]
    [InlineData("a//b", "empty segment")]
    [InlineData("a/b/", "must not end with '/'")]
    [InlineData("..", "'..' segments")]
    [InlineData("a/../../b", "'..' segments")]
    [InlineData(".", "'..' segments")]
    [InlineData("a\\b", "backslash")]
    [InlineData("a\0b", "NUL")]
    [InlineData("\u00e9", "printable ASCII")]
    [InlineData("tab\there", "printable ASCII")]
    [InlineData("x/.moat-locks", "reserved")]
    public void Invalid_keys_are_rejected_with_the_rule(string key, string rule)
    {
        var error = Assert.Throws<ArgumentException>(() => ObjectKey.Validate(key));
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
        Assert.Equal("key", error.ParamName);
        Assert.False(ObjectKey.IsValid(key));
    }

    [Fact]
    public void Keys_and_segments_have_length_limits()
    {
        ObjectKey.Validate(new string('a', 255));
        Assert.Throws<ArgumentException>(() => ObjectKey.Validate(new string('a', 256)));
        ObjectKey.Validate(string.Join('/', Enumerable.Repeat(new string('a', 100), 10)) + "/" + new string('b', 13));
        Assert.Throws<ArgumentException>(() => ObjectKey.Validate(string.Join('/', Enumerable.Repeat(new string('a', 100), 11))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("a/")]
    [InlineData("v1/ns/x/wal/0000")]
    [InlineData("a/.")]
    public void Valid_prefixes_pass(string prefix) => ObjectKey.ValidatePrefix(prefix);

    [Theory]
    [InlineData("/a")]
    [InlineData("a//b")]
    [InlineData("../a")]
    [InlineData("a\\")]
    public void Invalid_prefixes_are_rejected(string prefix) =>
        Assert.Throws<ArgumentException>(() => ObjectKey.ValidatePrefix(prefix));
}
