namespace Moat.Search;

/// <summary>
/// A Unix glob: <c>*</c> any run, <c>?</c> one character, <c>[abc]</c>, <c>[a-z]</c>, <c>[!abc]</c>
/// (or <c>[^abc]</c>), <c>\x</c> a literal x. Matching is linear in practice (one star backtrack
/// point) and allocation-free.
/// </summary>
internal sealed class GlobPattern
{
    private readonly string pattern;
    private readonly bool ignoreCase;

    public GlobPattern(string pattern, bool ignoreCase)
    {
        this.ignoreCase = ignoreCase;
        this.pattern = ignoreCase ? pattern.ToLowerInvariant() : pattern;
        LiteralPrefix = ignoreCase ? string.Empty : Prefix(this.pattern);
    }

    /// <summary>The literal text every match starts with (case-sensitive globs only), for dictionary range scans.</summary>
    public string LiteralPrefix { get; }

    public bool IsMatch(ReadOnlySpan<char> text)
    {
        var p = pattern.AsSpan();
        int ti = 0, pi = 0, starP = -1, starT = 0;
        while (ti < text.Length)
        {
            if (pi < p.Length)
            {
                var pc = p[pi];
                if (pc == '*')
                {
                    starP = ++pi;
                    starT = ti;
                    continue;
                }

                var tc = ignoreCase ? char.ToLowerInvariant(text[ti]) : text[ti];
                if (pc == '?' && !char.IsHighSurrogate(tc))
                {
                    pi++;
                    ti++;
                    continue;
                }

                if (pc == '?' && ti + 1 < text.Length)
                {
                    pi++;
                    ti += 2;
                    continue;
                }

                if (pc == '[' && ClassMatch(p, pi, tc, out var next))
                {
                    pi = next;
                    ti++;
                    continue;
                }

                if (pc == '\\' && pi + 1 < p.Length)
                {
                    if (p[pi + 1] == tc)
                    {
                        pi += 2;
                        ti++;
                        continue;
                    }
                }
                else if (pc != '[' && pc == tc)
                {
                    pi++;
                    ti++;
                    continue;
                }
                else if (pc == '[' && ClassEnd(p, pi) < 0 && tc == '[')
                {
                    // An unclosed '[' is a literal.
                    pi++;
                    ti++;
                    continue;
                }
            }

            if (starP < 0)
            {
                return false;
            }

            pi = starP;
            ti = ++starT;
        }

        while (pi < p.Length && p[pi] == '*')
        {
            pi++;
        }

        return pi == p.Length;
    }

    private static int ClassEnd(ReadOnlySpan<char> p, int open)
    {
        var i = open + 1;
        if (i < p.Length && (p[i] == '!' || p[i] == '^'))
        {
            i++;
        }

        if (i < p.Length && p[i] == ']')
        {
            i++;
        }

        for (; i < p.Length; i++)
        {
            if (p[i] == ']')
            {
                return i;
            }
        }

        return -1;
    }

    private static bool ClassMatch(ReadOnlySpan<char> p, int open, char c, out int next)
    {
        next = 0;
        var end = ClassEnd(p, open);
        if (end < 0)
        {
            return false;
        }

        var i = open + 1;
        var negate = p[i] == '!' || p[i] == '^';
        if (negate)
        {
            i++;
        }

        var matched = false;
        for (; i < end; i++)
        {
            var lo = p[i];
            if (i + 2 < end && p[i + 1] == '-')
            {
                if (c >= lo && c <= p[i + 2])
                {
                    matched = true;
                }

                i += 2;
            }
            else if (lo == c)
            {
                matched = true;
            }
        }

        next = end + 1;
        return matched != negate;
    }

    private static string Prefix(string p)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < p.Length; i++)
        {
            var c = p[i];
            if (c is '*' or '?' or '[')
            {
                break;
            }

            if (c == '\\')
            {
                if (i + 1 >= p.Length)
                {
                    break;
                }

                c = p[++i];
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}
