namespace Moat.Search.Text;

/// <summary>
/// The analysis of a full-text attribute: tokenizer (lower-casing unless case sensitive), then
/// English stop words removed, then Porter stemming, as the options say. The indexer builds the
/// inverted index with it and the query path tokenizes query strings and token operands with it,
/// so both sides always agree. Stop words and stems apply to English ("en" or empty) only; other
/// languages get tokenization and case folding. Thread-safe.
/// </summary>
public sealed class TextAnalyzer : ITokenizer
{
    private readonly ITokenizer tokenizer;
    private readonly bool stem;
    private readonly bool stop;
    private readonly bool caseSensitive;

    public TextAnalyzer(TextFieldOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        caseSensitive = options.CaseSensitive;
        tokenizer = options.Tokenizer switch
        {
            TokenizerKind.Whitespace => new WhitespaceTokenizer(options.CaseSensitive),
            TokenizerKind.PreTokenized => new PreTokenizedTokenizer(options.CaseSensitive),
            _ => new WordTokenizer(options.CaseSensitive),
        };
        stem = options.Stemming && options.IsEnglish;
        stop = options.RemoveStopwords && options.IsEnglish;
    }

    public TextFieldOptions Options { get; }

    public static TextAnalyzer For(TextFieldOptions options) => new(options);

    public void Tokenize(string text, List<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var start = tokens.Count;
        tokenizer.Tokenize(text, tokens);
        if (!stem && !stop)
        {
            return;
        }

        PorterStemmer? stemmer = stem ? new PorterStemmer() : null;
        var w = start;
        for (var i = start; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (stop && EnglishStopWords.Contains(caseSensitive ? t.ToLowerInvariant() : t))
            {
                continue;
            }

            tokens[w++] = stemmer is null ? t : Stem(stemmer, t);
        }

        tokens.RemoveRange(w, tokens.Count - w);
    }

    /// <summary>Tokens of <paramref name="text"/> as a new list.</summary>
    public List<string> Tokenize(string text)
    {
        var list = new List<string>();
        Tokenize(text, list);
        return list;
    }

    // Case-sensitive fields keep the case of the input; the stemmer works on lower case.
    private string Stem(PorterStemmer stemmer, string token)
    {
        if (!caseSensitive)
        {
            return stemmer.Stem(token);
        }

        var lower = token.ToLowerInvariant();
        var s = stemmer.Stem(lower);
        if (ReferenceEquals(s, lower))
        {
            return token;
        }

        // Keep the input's case on the common prefix; the stem's own suffix is lower case.
        var p = lower.AsSpan().CommonPrefixLength(s);
        return string.Concat(token.AsSpan(0, p), s.AsSpan(p));
    }
}
