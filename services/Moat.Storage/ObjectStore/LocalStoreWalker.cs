using System.IO.Enumeration;

namespace Moat.Storage.ObjectStore;

/// <summary>
/// Enumerates a local store's keys under a prefix in ordinal order, one directory level in memory at
/// a time: each level is sorted by name, a directory counting as "name/" (so "a-x" &lt; "a/1" &lt; "ab",
/// exactly the order of the full keys), and subtrees wholly before start-after or outside the prefix
/// are skipped without being read. Entries of a level that sort at or before start-after or fall
/// outside the prefix are dropped by name as the directory is read, before any allocation, file
/// status call or sort, so listing the end of a long WAL costs a directory read, not a sort of it.
/// The store's own files (names starting ".moat-") and symbolic links are never listed.
/// </summary>
internal static class LocalStoreWalker
{
    private static readonly EnumerationOptions Options = new()
    {
        AttributesToSkip = 0, // dot-names are keys like any other
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    internal static IEnumerable<string> Keys(string root, string prefix, string? startAfter)
    {
        var directoryKey = ObjectKey.DirectoryPart(prefix);
        var directory = directoryKey.Length == 0 ? root : Path.Combine(root, directoryKey.TrimEnd('/'));
        return Walk(directory, directoryKey, prefix, startAfter);
    }

    private static IEnumerable<string> Walk(string directory, string directoryKey, string prefix, string? startAfter)
    {
        List<(string SortKey, bool IsDirectory)> entries;
        try
        {
            entries = Entries(directory, new LevelBounds(directoryKey, prefix, startAfter));
        }
        catch (DirectoryNotFoundException)
        {
            yield break;
        }

        entries.Sort(static (a, b) => string.CompareOrdinal(a.SortKey, b.SortKey));
        foreach (var (sortKey, isDirectory) in entries)
        {
            // The level's filter already dropped what these checks skip; they stay as the plain statement of the rule.
            var key = directoryKey + sortKey;
            if (!key.StartsWith(prefix, StringComparison.Ordinal) && !(isDirectory && prefix.StartsWith(key, StringComparison.Ordinal)))
            {
                if (string.CompareOrdinal(key, prefix) > 0)
                {
                    yield break; // sorted: nothing later can match the prefix
                }

                continue;
            }

            if (startAfter is not null && string.CompareOrdinal(key, startAfter) <= 0
                && !(isDirectory && startAfter.StartsWith(key, StringComparison.Ordinal)))
            {
                continue; // this key, or every key in this subtree, sorts at or before start-after
            }

            if (isDirectory)
            {
                foreach (var nested in Walk(Path.Combine(directory, sortKey[..^1]), key, prefix, startAfter))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return key;
            }
        }
    }

    private static List<(string SortKey, bool IsDirectory)> Entries(string directory, LevelBounds bounds)
    {
        if (bounds.Empty)
        {
            return [];
        }

        var entries = new FileSystemEnumerable<(string SortKey, bool IsDirectory)>(
            directory,
            static (ref FileSystemEntry entry) => entry.IsDirectory ? (string.Concat(entry.FileName, "/"), true) : (entry.FileName.ToString(), false),
            Options)
        {
            ShouldIncludePredicate = bounds.Includes,
        };
        return [.. entries];
    }

    /// <summary>
    /// The prefix and start-after as seen from one directory level whose entries' keys are
    /// <c>directoryKey + name</c> (+ "/" for a directory): the parts left after the directory's key.
    /// </summary>
    private sealed class LevelBounds
    {
        private readonly string? _prefix; // entries must start with it, or (directories) be a start of it
        private readonly string? _startAfter; // entries must sort after it, or (directories) be a start of it

        public LevelBounds(string directoryKey, string prefix, string? startAfter)
        {
            // The walker enters only directories whose key starts the prefix or starts with it.
            _prefix = prefix.StartsWith(directoryKey, StringComparison.Ordinal) ? prefix[directoryKey.Length..] : null;
            if (startAfter is null || (string.CompareOrdinal(startAfter, directoryKey) < 0 && !startAfter.StartsWith(directoryKey, StringComparison.Ordinal)))
            {
                _startAfter = null; // every key below the directory sorts after it
            }
            else if (startAfter.StartsWith(directoryKey, StringComparison.Ordinal))
            {
                _startAfter = startAfter[directoryKey.Length..];
            }
            else
            {
                Empty = true; // every key below the directory sorts before it
            }
        }

        /// <summary>No entry of the level can be listed.</summary>
        public bool Empty { get; }

        public bool Includes(ref FileSystemEntry entry)
        {
            var name = entry.FileName;
            if (name.StartsWith(ObjectKey.ReservedSegmentPrefix, StringComparison.Ordinal))
            {
                return false;
            }

            var isDirectory = entry.IsDirectory;
            if (_prefix is { } prefix && !NameStartsWith(name, isDirectory, prefix) && !(isDirectory && StartsWithName(prefix, name)))
            {
                return false;
            }

            if (_startAfter is { } startAfter && CompareName(name, isDirectory, startAfter) <= 0 && !(isDirectory && StartsWithName(startAfter, name)))
            {
                return false;
            }

            // Last: the file status is a system call, made only for the entries left.
            return (entry.Attributes & (FileAttributes.ReparsePoint | FileAttributes.Device)) == 0;
        }

        /// <summary>Ordinal comparison of <paramref name="name"/> (+ "/" for a directory) with <paramref name="other"/>.</summary>
        private static int CompareName(ReadOnlySpan<char> name, bool isDirectory, ReadOnlySpan<char> other)
        {
            var common = Math.Min(name.Length, other.Length);
            var order = name[..common].SequenceCompareTo(other[..common]);
            if (order != 0)
            {
                return order;
            }

            if (name.Length > other.Length)
            {
                return 1;
            }

            if (!isDirectory)
            {
                return name.Length == other.Length ? 0 : -1;
            }

            if (name.Length == other.Length)
            {
                return 1;
            }

            order = '/'.CompareTo(other[name.Length]);
            return order != 0 ? order : name.Length + 1 == other.Length ? 0 : -1;
        }

        /// <summary>Whether <paramref name="name"/> (+ "/" for a directory) starts with <paramref name="start"/>.</summary>
        private static bool NameStartsWith(ReadOnlySpan<char> name, bool isDirectory, ReadOnlySpan<char> start) =>
            name.StartsWith(start, StringComparison.Ordinal)
            || (isDirectory && start.Length == name.Length + 1 && start[^1] == '/' && start.StartsWith(name, StringComparison.Ordinal));

        /// <summary>Whether <paramref name="text"/> starts with the directory <paramref name="name"/> + "/".</summary>
        private static bool StartsWithName(ReadOnlySpan<char> text, ReadOnlySpan<char> name) =>
            text.Length > name.Length && text[name.Length] == '/' && text.StartsWith(name, StringComparison.Ordinal);
    }
}
