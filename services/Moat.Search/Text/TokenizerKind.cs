namespace Moat.Search.Text;

/// <summary>How a full-text value is split into tokens.</summary>
public enum TokenizerKind
{
    /// <summary>Unicode word runs (<see cref="WordTokenizer"/>), the default.</summary>
    Word = 1,

    /// <summary>Split on white space only.</summary>
    Whitespace = 2,

    /// <summary>Each value (each element of a string list) is one token.</summary>
    PreTokenized = 3,
}
