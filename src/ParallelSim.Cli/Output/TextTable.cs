using System.Text;

namespace ParallelSim.Cli.Output;

public enum OutputFormat { Table, Markdown, Csv, Json }

/// <summary>A titled table of strings that renders as aligned text, Markdown or CSV.</summary>
public sealed class TextTable(string title, params string[] headers)
{
    public string Title { get; } = title;
    public IReadOnlyList<string> Headers { get; } = headers;
    private readonly List<string[]> _rows = [];
    public IReadOnlyList<string[]> Rows => _rows;
    /// <summary>Columns whose values are right-aligned in text output (numbers).</summary>
    public HashSet<int> RightAligned { get; } = [];

    public TextTable Add(params string[] cells)
    {
        if (cells.Length != Headers.Count) throw new ArgumentException($"row has {cells.Length} cells, table '{Title}' has {Headers.Count} columns");
        _rows.Add(cells);
        return this;
    }

    public string Render(OutputFormat format) => format switch
    {
        OutputFormat.Markdown => Markdown(),
        OutputFormat.Csv => Csv(),
        _ => Text(),
    };

    private string Text()
    {
        var widths = Headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        if (Title.Length > 0) sb.Append(Title).Append('\n');
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((c, i) =>
            RightAligned.Contains(i) ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
        sb.Append(Line(Headers)).Append('\n');
        sb.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        foreach (var r in _rows) sb.Append(Line(r)).Append('\n');
        return sb.ToString();
    }

    private string Markdown()
    {
        var sb = new StringBuilder();
        if (Title.Length > 0) sb.Append("**").Append(Title).Append("**\n\n");
        sb.Append("| ").Append(string.Join(" | ", Headers)).Append(" |\n");
        sb.Append('|').Append(string.Join("|", Headers.Select((_, i) => RightAligned.Contains(i) ? "---:" : "---"))).Append("|\n");
        foreach (var r in _rows) sb.Append("| ").Append(string.Join(" | ", r.Select(c => c.Replace("|", "\\|")))).Append(" |\n");
        return sb.ToString();
    }

    private string Csv()
    {
        static string Q(string s) => s.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        var sb = new StringBuilder();
        sb.Append(string.Join(",", Headers.Select(Q))).Append('\n');
        foreach (var r in _rows) sb.Append(string.Join(",", r.Select(Q))).Append('\n');
        return sb.ToString();
    }
}
