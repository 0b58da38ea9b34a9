namespace Moat.Search.Text;

/// <summary>English stop words (the Snowball/Lucene-style short list; lower case).</summary>
public static class EnglishStopWords
{
    private static readonly HashSet<string> Words = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
        "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they",
        "this", "to", "was", "will", "with", "i", "me", "my", "we", "our", "you", "your", "he", "him",
        "his", "she", "her", "its", "them", "what", "which", "who", "whom", "am", "were", "been", "being",
        "have", "has", "had", "do", "does", "did", "so", "than", "too", "very", "can", "from", "up", "down",
        "out", "off", "over", "under", "again", "further", "once", "here", "when", "where", "why", "how",
        "all", "any", "both", "each", "few", "more", "most", "other", "some", "own", "same", "only", "just",
        "should", "now", "about", "against", "between", "through", "during", "before", "after", "above",
        "below", "while", "because", "until", "nor", "those", "itself", "ours", "yours", "theirs",
    };

    public static bool Contains(string lowerCaseWord) => Words.Contains(lowerCaseWord);
}
