using Moat.V1;

namespace Moat.Segments.Text;

/// <summary>
/// The tokenizer for an attribute's full-text options. Language, stemming and stop words are not
/// applied yet (the read-path issue adds them, with a new FULL_TEXT analysis version); tokens are
/// the tokenizer's output, lower-cased unless case sensitive.
/// </summary>
public static class TokenizerFactory
{
    public static ITokenizer Create(FullTextOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Tokenizer switch
        {
            Moat.V1.Tokenizer.Whitespace => new WhitespaceTokenizer(options.CaseSensitive),
            Moat.V1.Tokenizer.PreTokenized => new PreTokenizedTokenizer(options.CaseSensitive),
            _ => new WordTokenizer(options.CaseSensitive),
        };
    }
}
