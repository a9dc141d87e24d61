using System.Globalization;
using System.Text;
using System.Text.Json;
using ParallelSim.Core.Parallelism;
using ParallelSim.Search;

namespace ParallelSim.Cli.Output;

/// <summary>
/// Every plan of a sweep with its status: the evaluated ones in plan-space order (ok or oom, with the
/// reason), then the parts of the space cut off as invalid, with '*' for the dimensions not yet chosen.
/// Invariant culture and a fixed order: the same sweep gives the same bytes.
/// </summary>
public static class SweepExport
{
    private static readonly string[] Columns = ["gpus", "tp", "pp", "dp", "cp", "vpp", "micro_batch", "micro_batches", "schedule", "zero", "recompute",
        "sequence_parallel", "status", "reason", "rank", "method", "step_seconds", "tokens_per_second", "mfu", "peak_gib", "bubble_fraction", "layer_split"];

    public static void Write(SweepResult r, string path)
    {
        using var stream = File.Create(path);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) WriteJson(r, stream);
        else
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
            WriteCsv(r, w);
        }
    }

    public static void WriteCsv(SweepResult r, TextWriter w)
    {
        w.Write(string.Join(",", Columns)); w.Write('\n');
        foreach (var row in Rows(r))
        {
            for (int i = 0; i < row.Length; i++)
            {
                if (i > 0) w.Write(',');
                string c = row[i];
                w.Write(c.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + c.Replace("\"", "\"\"") + "\"" : c);
            }
            w.Write('\n');
        }
    }

    public static void WriteJson(SweepResult r, Stream stream)
    {
        using var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        j.WriteStartArray();
        foreach (var row in Rows(r))
        {
            j.WriteStartObject();
            for (int i = 0; i < Columns.Length; i++)
            {
                string c = row[i];
                if (c.Length == 0 || c == "*") j.WriteNull(Columns[i]);
                else if (i is 0 or 1 or 2 or 3 or 4 or 5 or 6 or 7 or 9 or 14) j.WriteNumber(Columns[i], long.Parse(c, CultureInfo.InvariantCulture));
                else if (i is >= 16 and <= 20) j.WriteNumber(Columns[i], double.Parse(c, CultureInfo.InvariantCulture));
                else if (i == 11) j.WriteBoolean(Columns[i], c == "true");
                else j.WriteString(Columns[i], c);
            }
            j.WriteEndObject();
            j.Flush();
        }
        j.WriteEndArray();
    }

    private static IEnumerable<string[]> Rows(SweepResult r)
    {
        var rank = new Dictionary<int, int>();
        for (int k = 0; k < r.Ranked.Count; k++) rank[r.Ranked[k]] = k + 1;
        for (int i = 0; i < r.Plans.Count; i++)
        {
            var p = r.Plans[i];
            var e = r.Evaluated[i];
            string status = e is null ? "not-evaluated" : e.Status == PlanStatus.Ok ? "ok" : "oom";
            var m = e?.Metrics;
            yield return [I(p.Gpus), I(p.Tp), I(p.Pp), I(p.Dp), I(p.Cp), I(p.Vpp), I(p.MicroBatch), I(p.MicroBatches), ScheduleNames.Name(p.Schedule),
                I((int)p.Zero), ScheduleNames.Name(p.Recompute), p.SequenceParallel ? "true" : "false", status,
                e is null ? "stopped by Ctrl-C before this plan" : e.Reason, rank.TryGetValue(i, out int k) ? I(k) : "",
                e is null ? "" : e.Refined ? "refined" : "screened",
                m is { } a ? D(a.StepSeconds) : "", m is { } b ? D(b.TokensPerSecond) : "", m is { } c ? D(c.Mfu) : "",
                m is { } d ? D(d.PeakBytes / (1024.0 * 1024 * 1024)) : "", m is { } f ? D(f.BubbleFraction) : "", Split(p.Split)];
        }
        foreach (var s in r.Spaces)
            foreach (var x in s.Rejected)
                yield return [I(x.Gpus), O(x.Tp), O(x.Pp), O(x.Dp), O(x.Cp), O(x.Vpp), O(x.MicroBatch), "*",
                    x.Schedule is { } sc ? ScheduleNames.Name(sc) : "*", x.Zero is { } z ? I((int)z) : "*",
                    x.Recompute is { } rc ? ScheduleNames.Name(rc) : "*", x.SequenceParallel is { } sp ? (sp ? "true" : "false") : "*",
                    "invalid", x.Reason, "", "", "", "", "", "", "", "*"];
    }

    /// <summary>"even", or the uneven split the sweep chose for the pp (the embedding and the loss counted as layers).</summary>
    private static string Split(LayerSplit? s) => s is null || s.IsEven ? "even" : s.ToString();

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string O(int? v) => v is int i ? I(i) : "*";
    private static string D(double v) => v.ToString("G10", CultureInfo.InvariantCulture);
}
