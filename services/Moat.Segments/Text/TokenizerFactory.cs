using Moat.Search.Text;
using Moat.V1;

namespace Moat.Segments.Text;

/// <summary>
/// The analysis for an attribute's full-text options: Moat.Search's <see cref="TextAnalyzer"/>
/// (tokenizer, case folding, English stop words and Porter stemming as the options say), the same
/// one the query path applies to query strings.
/// </summary>
public static class TokenizerFactory
{
    public static ITokenizer Create(FullTextOptions options) => new TextAnalyzer(ToSearch(options));

    /// <summary>The engine's form of the public full-text options.</summary>
    public static TextFieldOptions ToSearch(FullTextOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TextFieldOptions
        {
            Tokenizer = options.Tokenizer switch
            {
                Moat.V1.Tokenizer.Whitespace => TokenizerKind.Whitespace,
                Moat.V1.Tokenizer.PreTokenized => TokenizerKind.PreTokenized,
                _ => TokenizerKind.Word,
            },
            Language = options.Language,
            Stemming = options.Stemming,
            RemoveStopwords = options.RemoveStopwords,
            CaseSensitive = options.CaseSensitive,
            K1 = options.HasK1 ? options.K1 : 1.2,
            B = options.HasB ? options.B : 0.75,
        };
    }
}
