using Moat.Storage.ObjectStore;

namespace Moat.Storage.Tests.ObjectStore;

/// <summary>
/// The local store's listing (<see cref="LocalStoreWalker"/>) against a reference: the stored keys
/// filtered by prefix and start-after and sorted ordinally, over seeded random trees and bounds.
/// </summary>
public sealed class LocalStoreListTests : IDisposable
{
    private const string Alphabet = "ab-.0/";
    private readonly TestDirectory _directory = new();
    private readonly CancellationTokenSource _limit = new(TestData.Limit);

    private string Root => _directory.Combine("store");

    private CancellationToken Ct => _limit.Token;

    public void Dispose()
    {
        _limit.Dispose();
        _directory.Dispose();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Random_trees_list_exactly_the_reference_for_random_prefixes_and_start_afters(int seed)
    {
        using var store = new LocalFileSystemStore(Root, "test-1");
        var random = new SplitMix64((ulong)seed);
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        while (keys.Count < 150)
        {
            var key = RandomKey(random);
            if (!ObjectKey.IsValid(key) || keys.Contains(key))
            {
                continue;
            }

            try
            {
                await store.PutAsync(key, TestData.Utf8(key), PutCondition.IfAbsent, Ct);
                keys.Add(key);
            }
            catch (ObjectStoreException)
            {
                // "a" and "a/b" cannot both be objects here: keep whichever came first.
            }
        }

        // Debris a listing must never show: the store's own files, symbolic links.
        File.WriteAllText(Path.Combine(Root, ".moat-tmp-0"), "x");
        File.CreateSymbolicLink(Path.Combine(Root, "a-link"), Path.Combine(Root, keys.First()));
        Directory.CreateSymbolicLink(Path.Combine(Root, "b-link"), Root);

        var all = keys.ToArray();
        for (var i = 0; i < 400; i++)
        {
            var prefix = random.Next(4) switch
            {
                0 => "",
                1 => Cut(all[random.Next(all.Length)], random),
                2 => Cut(all[random.Next(all.Length)], random) is var p && p.Length > 0 && !p.EndsWith('/') ? p[..^1] + Alphabet[random.Next(Alphabet.Length - 1)] : "",
                _ => RandomKey(random) is var k && ObjectKey.IsValid(k) ? k : "",
            };
            if (!IsValidPrefix(prefix))
            {
                continue;
            }

            var startAfter = random.Next(5) switch
            {
                0 => null,
                1 => all[random.Next(all.Length)],
                2 => Cut(all[random.Next(all.Length)], random),
                3 => prefix + Cut(RandomKey(random), random),
                _ => RandomKey(random),
            };
            var expected = all.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && (startAfter is null || string.CompareOrdinal(k, startAfter) > 0));
            var listed = (await store.ListAsync(prefix, startAfter, Ct).ToListAsync(Ct)).Select(m => m.Key);
            Assert.True(expected.SequenceEqual(listed), $"prefix '{prefix}', start-after '{startAfter}': expected [{string.Join(", ", expected)}], listed [{string.Join(", ", listed)}]");
        }
    }

    [Fact]
    public async Task A_prefix_below_an_object_lists_nothing()
    {
        using var store = new LocalFileSystemStore(Root, "test-1");
        await store.PutAsync("a", TestData.Utf8("x"), PutCondition.None, Ct);

        Assert.Empty(await store.ListAsync("a/", null, Ct).ToListAsync(Ct));
        Assert.Empty(await store.ListAsync("a/b", "a/a", Ct).ToListAsync(Ct));
        Assert.Equal(["a"], (await store.ListAsync("", "", Ct).ToListAsync(Ct)).Select(m => m.Key));
    }

    private static string RandomKey(SplitMix64 random)
    {
        var length = 1 + random.Next(8);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Alphabet[random.Next(Alphabet.Length)];
        }

        return new string(chars);
    }

    private static string Cut(string value, SplitMix64 random) => value[..random.Next(value.Length + 1)];

    private static bool IsValidPrefix(string prefix)
    {
        try
        {
            ObjectKey.ValidatePrefix(prefix);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
