using System.Text;

namespace Moat.Cli;

/// <summary>Plain aligned columns for terminal tables.</summary>
public static class TextTable
{
    public static string Render(IReadOnlyList<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendJoin("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }
}
