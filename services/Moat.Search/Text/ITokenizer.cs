namespace Moat.Search.Text;

/// <summary>
/// Splits a full-text value into tokens for the inverted index. The query path must tokenize
/// operands with the same tokenizer (<see cref="TextAnalyzer"/>).
/// </summary>
public interface ITokenizer
{
    /// <summary>Appends the tokens of <paramref name="text"/> to <paramref name="tokens"/>, in order.</summary>
    void Tokenize(string text, List<string> tokens);
}
