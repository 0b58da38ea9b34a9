namespace Moat.Storage.ObjectStore;

/// <summary>
/// Enumerates a local store's keys under a prefix in ordinal order, one directory level in memory at
/// a time: each level is sorted by name, a directory counting as "name/" (so "a-x" &lt; "a/1" &lt; "ab",
/// exactly the order of the full keys), and subtrees wholly before start-after or outside the prefix
/// are skipped without being read. The store's own files (names starting ".moat-") and anything
/// that is neither a regular file nor a directory (e.g. symbolic links) are never listed.
/// </summary>
internal static class LocalStoreWalker
{
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
            entries = [.. Entries(directory)];
        }
        catch (DirectoryNotFoundException)
        {
            yield break;
        }

        entries.Sort(static (a, b) => string.CompareOrdinal(a.SortKey, b.SortKey));
        foreach (var (sortKey, isDirectory) in entries)
        {
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

    private static IEnumerable<(string SortKey, bool IsDirectory)> Entries(string directory)
    {
        foreach (var info in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (info.Name.StartsWith(ObjectKey.ReservedSegmentPrefix, StringComparison.Ordinal) || info.LinkTarget is not null)
            {
                continue;
            }

            if (info is DirectoryInfo)
            {
                yield return (info.Name + "/", true);
            }
            else if ((info.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) == 0)
            {
                yield return (info.Name, false);
            }
        }
    }
}
