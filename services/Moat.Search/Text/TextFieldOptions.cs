namespace Moat.Search.Text;

/// <summary>
/// Full-text options of one attribute: the analysis (used identically when the inverted index is
/// built and when a query string is tokenized) and the BM25 parameters.
/// </summary>
public sealed record TextFieldOptions
{
    public static readonly TextFieldOptions Default = new();

    public TokenizerKind Tokenizer { get; init; } = TokenizerKind.Word;

    /// <summary>ISO 639-1 code; empty = "en". Stemming and stop words exist for English only.</summary>
    public string Language { get; init; } = string.Empty;

    public bool Stemming { get; init; }

    public bool RemoveStopwords { get; init; }

    public bool CaseSensitive { get; init; }

    /// <summary>BM25 term-frequency saturation (&gt;= 0).</summary>
    public double K1 { get; init; } = 1.2;

    /// <summary>BM25 length normalisation (0 to 1).</summary>
    public double B { get; init; } = 0.75;

    /// <summary>True when the language has a stemmer and a stop list here.</summary>
    public bool IsEnglish => Language.Length == 0 || string.Equals(Language, "en", StringComparison.OrdinalIgnoreCase);
}
