using Moat.Search.Text;

namespace Moat.Search.Tests;

/// <summary>Tokenizers, the Porter stemmer and stop words.</summary>
public class TextAnalysisTests
{
    [Theory]
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("cats", "cat")]
    [InlineData("feed", "feed")]
    [InlineData("agreed", "agre")]
    [InlineData("plastered", "plaster")]
    [InlineData("motoring", "motor")]
    [InlineData("hopping", "hop")]
    [InlineData("filing", "file")]
    [InlineData("happy", "happi")]
    [InlineData("sky", "sky")]
    [InlineData("relational", "relat")]
    [InlineData("conditional", "condit")]
    [InlineData("generalization", "gener")]
    [InlineData("hopefulness", "hope")]
    [InlineData("electrical", "electr")]
    [InlineData("adjustable", "adjust")]
    [InlineData("controlling", "control")]
    [InlineData("roll", "roll")]
    [InlineData("foxes", "fox")]
    [InlineData("is", "is")]
    [InlineData("café", "café")]
    public void Porter_stems_match_the_reference(string word, string stem) =>
        Assert.Equal(stem, new PorterStemmer().Stem(word));

    [Fact]
    public void Word_tokenizer_splits_unicode_words_and_lower_cases()
    {
        var a = new TextAnalyzer(TextFieldOptions.Default);
        Assert.Equal(["héllo", "wörld", "42", "日本語", "snake_case"], a.Tokenize("Héllo, WÖRLD! 42 — 日本語 snake_case"));
    }

    [Fact]
    public void Case_sensitive_fields_keep_case_and_stem_the_suffix()
    {
        var a = new TextAnalyzer(new TextFieldOptions { CaseSensitive = true, Stemming = true });
        Assert.Equal(["Runner", "Relat"], a.Tokenize("Runners Relational"));
    }

    [Fact]
    public void Stop_words_and_stems_apply_to_english_only()
    {
        var en = new TextAnalyzer(new TextFieldOptions { Stemming = true, RemoveStopwords = true });
        Assert.Equal(["quick", "fox", "jump"], en.Tokenize("The quick foxes are jumping"));
        var de = new TextAnalyzer(new TextFieldOptions { Language = "de", Stemming = true, RemoveStopwords = true });
        Assert.Equal(["the", "foxes"], de.Tokenize("The foxes"));
    }

    [Fact]
    public void Whitespace_and_pre_tokenized_tokenizers()
    {
        Assert.Equal(["a-b", "c.d"], new TextAnalyzer(new TextFieldOptions { Tokenizer = TokenizerKind.Whitespace }).Tokenize("A-b  c.D"));
        Assert.Equal(["new york"], new TextAnalyzer(new TextFieldOptions { Tokenizer = TokenizerKind.PreTokenized }).Tokenize("New York"));
    }
}
