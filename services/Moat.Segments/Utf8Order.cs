using Moat.Search;

namespace Moat.Segments;

/// <summary>
/// Orders .NET strings as their UTF-8 bytes would order (= Unicode code point order), which is the
/// order of ids, filter dictionaries and term dictionaries in segments. The one implementation is the
/// engine's <see cref="Utf8Compare"/>: writer and reader must agree on it to the bit.
/// </summary>
public sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Instance = new();

    public int Compare(string? x, string? y) => Utf8Compare.Compare(x, y);
}
