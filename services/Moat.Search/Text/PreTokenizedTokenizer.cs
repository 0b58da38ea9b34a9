namespace Moat.Search.Text;

/// <summary>The value (each element of a STRING_LIST) is already one token; lower-cased unless case sensitive.</summary>
public sealed class PreTokenizedTokenizer(bool caseSensitive = false) : ITokenizer
{
    public void Tokenize(string text, List<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokens);
        if (text.Length > 0)
        {
            tokens.Add(caseSensitive ? text : text.ToLowerInvariant());
        }
    }
}
