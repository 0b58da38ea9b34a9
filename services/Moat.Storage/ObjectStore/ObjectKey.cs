namespace Moat.Storage.ObjectStore;

/// <summary>
/// The rules every store applies to keys and list prefixes. A key is a '/'-separated relative path
/// of printable ASCII (0x20-0x7E, no backslash), at most <see cref="MaxLength"/> characters, whose
/// segments are non-empty, at most <see cref="MaxSegmentLength"/> characters, neither "." nor "..",
/// and do not start with <see cref="ReservedSegmentPrefix"/> (the stores' own files). With ASCII keys,
/// ordinal string order is also the byte order S3 and GCS list in.
/// </summary>
public static class ObjectKey
{
    /// <summary>S3's limit (bytes; keys are ASCII so characters).</summary>
    public const int MaxLength = 1024;

    /// <summary>A file name's limit on common file systems.</summary>
    public const int MaxSegmentLength = 255;

    /// <summary>Names a store keeps for itself (temp files, locks, the region marker).</summary>
    public const string ReservedSegmentPrefix = ".moat-";

    /// <summary>Throws <see cref="ArgumentException"/> naming the rule when <paramref name="key"/> is not a valid key.</summary>
    public static void Validate(string key, string paramName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (key.Length == 0)
        {
            throw new ArgumentException("An object key must not be empty.", paramName);
        }

        CheckCharactersAndLength(key, "key", paramName);
        if (key[^1] == '/')
        {
            throw new ArgumentException($"Object key '{key}' must not end with '/' (empty segment).", paramName);
        }

        CheckSegments(key, key.Split('/'), "key", paramName);
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <paramref name="prefix"/> is not a valid list prefix:
    /// "" or the start of a valid key (it may end with '/' or inside a segment).
    /// </summary>
    public static void ValidatePrefix(string prefix, string paramName = "prefix")
    {
        ArgumentNullException.ThrowIfNull(prefix, paramName);
        if (prefix.Length == 0)
        {
            return;
        }

        CheckCharactersAndLength(prefix, "prefix", paramName);
        var segments = prefix.Split('/');

        // Every segment but the last is complete and follows the key rules; the last one is a partial
        // name (or empty after a trailing '/') used only to filter names.
        CheckSegments(prefix, segments.AsSpan(0, segments.Length - 1), "prefix", paramName);
        if (segments[^1].Length > MaxSegmentLength)
        {
            throw new ArgumentException($"List prefix '{prefix}' has a segment longer than {MaxSegmentLength} characters.", paramName);
        }
    }

    /// <summary>Whether <paramref name="key"/> is valid.</summary>
    public static bool IsValid(string key)
    {
        try
        {
            Validate(key);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The directory part of a prefix: everything up to and including its last '/', or "".</summary>
    internal static string DirectoryPart(string prefix)
    {
        var slash = prefix.LastIndexOf('/');
        return slash < 0 ? string.Empty : prefix[..(slash + 1)];
    }

    private static void CheckCharactersAndLength(string value, string what, string paramName)
    {
        if (value.Length > MaxLength)
        {
            throw new ArgumentException($"Object {what} is {value.Length} characters long; at most {MaxLength} are allowed.", paramName);
        }

        foreach (var c in value)
        {
            if (c == '\0')
            {
                throw new ArgumentException($"Object {what} must not contain NUL.", paramName);
            }

            if (c == '\\')
            {
                throw new ArgumentException($"Object {what} '{value}' must not contain a backslash; segments are separated by '/'.", paramName);
            }

            if (c < 0x20 || c > 0x7E)
            {
                throw new ArgumentException($"Object {what} must be printable ASCII (0x20-0x7E); found U+{(int)c:X4}.", paramName);
            }
        }

        if (value[0] == '/')
        {
            throw new ArgumentException($"Object {what} '{value}' must be relative (must not start with '/').", paramName);
        }
    }

    private static void CheckSegments(string value, ReadOnlySpan<string> segments, string what, string paramName)
    {
        foreach (var segment in segments)
        {
            if (segment.Length == 0)
            {
                throw new ArgumentException($"Object {what} '{value}' has an empty segment ('//').", paramName);
            }

            if (segment is "." or "..")
            {
                throw new ArgumentException($"Object {what} '{value}' must not contain '.' or '..' segments.", paramName);
            }

            if (segment.Length > MaxSegmentLength)
            {
                throw new ArgumentException($"Object {what} '{value}' has a segment longer than {MaxSegmentLength} characters.", paramName);
            }

            if (segment.StartsWith(ReservedSegmentPrefix, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Object {what} '{value}' uses the reserved name prefix '{ReservedSegmentPrefix}'.", paramName);
            }
        }
    }
}
