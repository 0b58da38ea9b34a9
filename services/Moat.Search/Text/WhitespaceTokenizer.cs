namespace Moat.Search.Text;

/// <summary>Splits on Unicode white space only; lower-cased unless case sensitive.</summary>
public sealed class WhitespaceTokenizer(bool caseSensitive = false) : ITokenizer
{
    public void Tokenize(string text, List<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokens);
        foreach (var part in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            tokens.Add(caseSensitive ? part : part.ToLowerInvariant());
        }
    }
}
