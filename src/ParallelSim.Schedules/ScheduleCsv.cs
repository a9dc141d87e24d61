using System.Globalization;
using System.Text;

namespace ParallelSim.Schedules;

/// <summary>
/// Schedules as CSV, one row per rank and one action per cell ("0F0,0F1,0B0"), as torch.distributed.pipelining
/// reads and writes them. The first line is a comment header naming the schedule, stages and micro-batches.
/// </summary>
public static class ScheduleCsv
{
    public static string Write(PipelineSchedule s)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# {s.Name}; stages={s.Stages}; microbatches={s.MicroBatches}\n");
        foreach (var rank in s.PerRank) sb.Append(string.Join(",", rank.Select(a => a.ToString()))).Append('\n');
        return sb.ToString();
    }

    /// <summary>Reads what <see cref="Write"/> wrote. Without the header, stages and micro-batches are inferred.</summary>
    public static PipelineSchedule Read(string csv)
    {
        string name = "csv"; int? stages = null, micro = null;
        var ranks = new List<IReadOnlyList<PipelineAction>>();
        var lines = csv.Replace("\r", "").Split('\n');
        int count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length; // the final newline ends the last row
        for (int lineNo = 1; lineNo <= count; lineNo++)
        {
            var line = lines[lineNo - 1].Trim();
            if (line.StartsWith('#'))
            {
                foreach (var part in line.TrimStart('#').Split(';', StringSplitOptions.TrimEntries))
                {
                    var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
                    if (kv.Length == 1 && kv[0].Length > 0) name = kv[0];
                    else if (kv.Length == 2 && kv[0] == "stages") stages = Count(kv[1], "stages", lineNo);
                    else if (kv.Length == 2 && kv[0] == "microbatches") micro = Count(kv[1], "microbatches", lineNo);
                }
                continue;
            }
            var actions = new List<PipelineAction>();
            foreach (var cell in line.Split(','))
            {
                if (cell.Trim().Length == 0) continue; // an empty cell is a deliberate idle step
                if (!PipelineAction.TryParse(cell, out var a))
                    throw new FormatException($"line {lineNo}: '{cell.Trim()}' is not a pipeline action (expected e.g. 2F0, 3B5)");
                actions.Add(a);
            }
            ranks.Add(actions);
        }
        while (ranks.Count > 0 && ranks[^1].Count == 0) ranks.RemoveAt(ranks.Count - 1); // trailing blank lines are not ranks
        var all = ranks.SelectMany(r => r).ToArray();
        return new PipelineSchedule(name,
            stages ?? (all.Length == 0 ? 0 : all.Max(a => a.Stage) + 1),
            micro ?? (all.Length == 0 ? 0 : all.Max(a => a.MicroBatch) + 1),
            ranks);
    }

    private static int Count(string text, string key, int lineNo) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 ? n
        : throw new FormatException($"line {lineNo}: {key}={text} is not a whole number of at least 1");
}
