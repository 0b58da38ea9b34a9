using System.Globalization;
using System.Text;

namespace Moat.Search.Text;

/// <summary>
/// Default tokenizer: maximal runs of letters, digits and combining marks (by Unicode category,
/// surrogate pairs included) are tokens; everything else separates. Lower-cased with invariant
/// Unicode simple case mapping unless case sensitive. An approximation of UAX #29 word boundaries.
/// </summary>
public sealed class WordTokenizer(bool caseSensitive = false) : ITokenizer
{
    public void Tokenize(string text, List<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokens);
        var start = -1;
        var i = 0;
        while (i < text.Length)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
                consumed = 1;
            }

            if (IsWordRune(rune))
            {
                if (start < 0)
                {
                    start = i;
                }
            }
            else if (start >= 0)
            {
                Add(text, start, i, tokens);
                start = -1;
            }

            i += consumed;
        }

        if (start >= 0)
        {
            Add(text, start, text.Length, tokens);
        }
    }

    private void Add(string text, int start, int end, List<string> tokens)
    {
        var token = text[start..end];
        tokens.Add(caseSensitive ? token : token.ToLowerInvariant());
    }

    private static bool IsWordRune(Rune r) => Rune.GetUnicodeCategory(r) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
            or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber or UnicodeCategory.NonSpacingMark
            or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.ConnectorPunctuation => true,
        _ => false,
    };
}
