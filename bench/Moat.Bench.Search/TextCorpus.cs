using System.Diagnostics;
using System.Text.RegularExpressions;
using Moat.Search.Vectors;

/// <summary>
/// The BM25 corpus: the reStructuredText sources of the Python 3.11 documentation as Debian's
/// package python3.11-doc ships them (/usr/share/doc/python3.11/html/_sources/**/*.rst.txt), split
/// into paragraphs (blank-line separated, at least 40 characters), in path order. Queries are 2 or
/// 3 words of at least 4 letters drawn (seeded) from random paragraphs.
/// </summary>
internal sealed partial class TextCorpus
{
    public const string Package = "python3.11-doc";
    public const string Root = "/usr/share/doc/python3.11/html/_sources";

    private TextCorpus(List<string> documents, List<string> queries)
    {
        Documents = documents;
        Queries = queries;
    }

    public List<string> Documents { get; }

    public List<string> Queries { get; }

    public static TextCorpus Load(int queryCount)
    {
        if (!Directory.Exists(Root))
        {
            Install();
        }

        var documents = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Root, "*.rst.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            foreach (var paragraph in ParagraphBreak().Split(File.ReadAllText(file)))
            {
                var p = paragraph.Trim();
                if (p.Length >= 40)
                {
                    documents.Add(p);
                }
            }
        }

        var rng = new SeededRandom(77);
        var queries = new List<string>(queryCount);
        while (queries.Count < queryCount)
        {
            var words = Word().Matches(documents[rng.Next(documents.Count)]).Select(m => m.Value.ToLowerInvariant()).Distinct().ToList();
            if (words.Count < 3)
            {
                continue;
            }

            var n = 2 + rng.Next(2);
            var picked = new List<string>();
            for (var i = 0; i < n; i++)
            {
                var w = words[rng.Next(words.Count)];
                words.Remove(w);
                picked.Add(w);
            }

            queries.Add(string.Join(' ', picked));
        }

        return new TextCorpus(documents, queries);
    }

    /// <summary>The benchmark's own setup: installs the package with apt (root only).</summary>
    private static void Install()
    {
        Console.Error.WriteLine($"text: {Root} is missing; installing {Package} with apt-get");
        var psi = new ProcessStartInfo("apt-get", ["install", "-y", "-q", Package]);
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start apt-get.");
        p.WaitForExit();
        if (p.ExitCode != 0 || !Directory.Exists(Root))
        {
            throw new InvalidOperationException($"Install {Package} (apt-get install {Package}, as root) for the text benchmark.");
        }
    }

    [GeneratedRegex(@"\n[ \t]*\n")]
    private static partial Regex ParagraphBreak();

    [GeneratedRegex(@"\b[A-Za-z]{4,}\b")]
    private static partial Regex Word();
}
