using System.Text;
using System.Text.Json;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Schedules.Export;

/// <summary>
/// A timeline in the Chrome trace event format (Trace Event Format, "X" complete events with ts and dur in
/// microseconds), one track per rank (pid = process id of the run, tid = rank), named "rank r"; opens in
/// Perfetto and chrome://tracing. Event names read "F3 stage 1" (kind, micro-batch, stage).
/// </summary>
public static class ChromeTrace
{
    public static string Write(Timeline t, string processName = "pipeline") => Write([(processName, t)]);

    /// <summary>Several runs in one trace, one process (pid 0, 1, ...) per run, in the order given.</summary>
    public static string Write(IReadOnlyList<(string Name, Timeline Timeline)> runs)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            w.WriteString("displayTimeUnit", "ms");
            w.WriteStartArray("traceEvents");
            for (int pid = 0; pid < runs.Count; pid++) Process(w, pid, runs[pid].Name, runs[pid].Timeline);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void Process(Utf8JsonWriter w, int pid, string processName, Timeline t)
    {
        Meta(w, "process_name", pid, 0, processName);
        for (int r = 0; r < t.Ranks; r++)
        {
            Meta(w, "thread_name", pid, r, $"rank {r}");
            w.WriteStartObject();
            w.WriteString("name", "thread_sort_index"); w.WriteString("ph", "M"); w.WriteNumber("pid", pid); w.WriteNumber("tid", r);
            w.WriteStartObject("args"); w.WriteNumber("sort_index", r); w.WriteEndObject();
            w.WriteEndObject();
        }
        foreach (var x in t.All)
        {
            var a = x.Action;
            w.WriteStartObject();
            w.WriteString("name", $"{PipelineAction.Code(a.Kind)}{a.MicroBatch} stage {a.Stage}");
            w.WriteString("cat", a.Kind.ToString());
            w.WriteString("ph", "X");
            w.WriteNumber("pid", pid);
            w.WriteNumber("tid", x.Rank);
            w.WriteNumber("ts", x.Start.Value * 1e6);
            w.WriteNumber("dur", x.Duration.Value * 1e6);
            w.WriteStartObject("args");
            w.WriteNumber("stage", a.Stage); w.WriteNumber("microBatch", a.MicroBatch); w.WriteString("action", a.ToString());
            w.WriteEndObject();
            w.WriteEndObject();
        }
    }

    private static void Meta(Utf8JsonWriter w, string name, int pid, int tid, string value)
    {
        w.WriteStartObject();
        w.WriteString("name", name); w.WriteString("ph", "M"); w.WriteNumber("pid", pid); w.WriteNumber("tid", tid);
        w.WriteStartObject("args"); w.WriteString("name", value); w.WriteEndObject();
        w.WriteEndObject();
    }
}
