using System.Text;

namespace ParallelSim.Readers;

/// <summary>One record of a CSV file: its fields by column name, and the line it starts on (1-based, the header is line 1).</summary>
public sealed record CsvRow(int Line, IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>The trimmed field, or "" when the column is absent or empty.</summary>
    public string this[string column] => Fields.TryGetValue(column, out var v) ? v.Trim() : "";
}

/// <summary>
/// A CSV file as RFC 4180 writes it: comma-separated, fields optionally in double quotes (which may hold commas, line
/// breaks and doubled quotes), a header row of column names. Every problem is reported at once, naming the line.
/// </summary>
public sealed class CsvTable
{
    public IReadOnlyList<string> Columns { get; }
    public IReadOnlyList<CsvRow> Rows { get; }

    private CsvTable(IReadOnlyList<string> columns, IReadOnlyList<CsvRow> rows) { Columns = columns; Rows = rows; }

    public static CsvTable Parse(string text, string where)
    {
        var problems = new List<string>();
        var records = Records(text.TrimStart('\uFEFF'), where, problems);
        if (records.Count == 0) throw new UserInputException($"{where}: the file is empty (expected a header row of column names)");
        var (_, header) = records[0];
        var columns = header.Select(h => h.Trim()).ToArray();
        foreach (var dup in columns.Where(c => c.Length > 0).GroupBy(c => c, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"{where}: column \"{dup.Key}\" appears {dup.Count()} times in the header");
        var rows = new List<CsvRow>();
        foreach (var (line, fields) in records.Skip(1))
        {
            if (fields.Count == 1 && fields[0].Trim().Length == 0) continue; // a blank line
            if (fields.Count != columns.Length)
            {
                problems.Add($"{where} line {line}: {fields.Count} fields, the header has {columns.Length} (a comma inside an unquoted field?)");
                continue;
            }
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < columns.Length; i++) d.TryAdd(columns[i], fields[i]);
            rows.Add(new CsvRow(line, d));
        }
        if (problems.Count > 0) throw new UserInputException(problems);
        return new CsvTable(columns, rows);
    }

    /// <summary>The records and the line each starts on.</summary>
    private static List<(int Line, List<string> Fields)> Records(string text, string where, List<string> problems)
    {
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, start = 1, quoteLine = 0;
        bool quoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else { if (ch == '\n') line++; field.Append(ch); }
                continue;
            }
            switch (ch)
            {
                case '"' when field.ToString().Trim().Length == 0:
                    field.Clear(); quoted = true; quoteLine = line; any = true; break;
                case ',':
                    fields.Add(field.ToString()); field.Clear(); any = true; break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString()); field.Clear();
                    records.Add((start, fields)); fields = []; any = false;
                    start = ++line;
                    break;
                default:
                    field.Append(ch); any = true; break;
            }
        }
        if (quoted) problems.Add($"{where} line {quoteLine}: a quoted field is not closed (a \" is missing)");
        if (any || field.Length > 0) { fields.Add(field.ToString()); records.Add((start, fields)); }
        return records;
    }
}
