using ParallelSim.Core.Hardware;
using ParallelSim.Core.Validation;

namespace ParallelSim.Readers;

/// <summary>
/// Reads a CSV of published runs (the schema of the project's public run list: source, model, shape, GPU, plan,
/// reported_* numbers, notes) into reference suites, one per distinct source, named "file stem: short source".
/// Extra columns are ignored, missing optional ones read as empty; rows that cannot be evaluated become skipped entries
/// (<see cref="PublishedRunMapping"/>), malformed numbers are errors.
/// </summary>
public static class PublishedRunsReader
{
    /// <summary>Columns without which no row can be evaluated.</summary>
    public static readonly string[] EssentialColumns = ["layers", "hidden", "heads", "vocab", "seq_len", "gpu", "num_gpus"];

    /// <param name="baseStack">every row's stack in place of its stack and framework columns (<see cref="PublishedRunMapping.Map"/>)</param>
    public static IReadOnlyList<ReferenceSuite> Read(string text, string path, Catalog catalog, double? mapeLimitPct, Core.Stack.StackSpec? baseStack = null)
    {
        var table = CsvTable.Parse(text, path);
        var problems = new List<string>();
        var missing = EssentialColumns.Where(c => !table.Columns.Contains(c)).ToArray();
        if (missing.Length > 0)
            problems.Add($"{path}: the header lacks the column{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing)} (needed: {string.Join(", ", EssentialColumns)})");
        if (!PublishedRunMapping.MetricColumns.Any(table.Columns.Contains))
            problems.Add($"{path}: the header has none of the reported columns {string.Join(", ", PublishedRunMapping.MetricColumns)}");
        if (problems.Count > 0) throw new UserInputException(problems);

        var runs = table.Rows.Select(r => PublishedRun.Parse(r, path, problems)).ToArray();
        if (problems.Count > 0) throw new UserInputException(problems);

        string file = Path.GetFileName(path), stem = Path.GetFileNameWithoutExtension(path);
        var sources = runs.Select(r => r.Source).Distinct(StringComparer.Ordinal).ToArray();
        var names = SuiteNames(sources, stem);
        var suites = new List<ReferenceSuite>();
        foreach (var source in sources)
        {
            var cases = new List<ReferenceCase>();
            var skipped = new List<SkippedCase>();
            foreach (var run in runs.Where(r => r.Source == source))
                PublishedRunMapping.Map(run, names[source], file, catalog, cases, skipped, baseStack);
            string citation = source.Length > 0 ? source : file;
            // the suite takes its rows' sample label when they all give the same one
            var labels = runs.Where(r => r.Source == source).Select(r => r.Sample).Distinct().ToArray();
            var sample = labels.Length == 1 ? labels[0] : SampleLabel.Unlabelled;
            suites.Add(new ReferenceSuite(names[source], $"Published runs in {file}: {citation}", new Source(citation), mapeLimitPct, cases, skipped)
            {
                Sample = sample,
                FittedTo = sample switch
                {
                    SampleLabel.OutOfSample => $"nothing (the sample column of {file} says out)",
                    SampleLabel.InSample => $"not stated (the sample column of {file} says in)",
                    _ => labels.Length > 1 ? $"not stated (the rows' sample column disagrees)" : "not stated",
                },
            });
        }
        return suites;
    }

    /// <summary>
    /// "stem: short source": the source up to its first ", ", " (" or " + " ("Korthikanti et al. 2022"); when two
    /// sources shorten alike, each keeps its last comma-separated part too ("Korthikanti et al. 2022, abstract").
    /// </summary>
    public static IReadOnlyDictionary<string, string> SuiteNames(IReadOnlyList<string> sources, string stem)
    {
        static string Short(string s)
        {
            int cut = new[] { ", ", " (", " + " }.Select(m => s.IndexOf(m, StringComparison.Ordinal)).Where(i => i > 0).DefaultIfEmpty(s.Length).Min();
            return s[..cut].Trim();
        }
        var shorts = sources.ToDictionary(s => s, Short, StringComparer.Ordinal);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in sources)
        {
            string name = shorts[s];
            if (name.Length > 0 && shorts.Values.Count(x => x == name) > 1)
            {
                // what the source says after the shared part: its parenthesis ("table \"A100 80GB\"") when it has one, else its last
                // comma-separated part
                string rest = s[name.Length..].Trim();
                if (rest.StartsWith('(') && rest.EndsWith(')')) name = $"{name}, {rest[1..^1].Replace("\"", "").Trim()}";
                else
                {
                    int comma = s.LastIndexOf(", ", StringComparison.Ordinal);
                    if (comma > 0 && s[(comma + 2)..].Trim() is { Length: > 0 } last && last != name) name = $"{name}, {last}";
                }
            }
            string full = name.Length > 0 ? $"{stem}: {name}" : stem;
            string unique = full;
            for (int k = 2; !used.Add(unique); k++) unique = $"{full} #{k}";
            names[s] = unique;
        }
        return names;
    }
}
