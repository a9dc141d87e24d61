using System.Text.Json;
using System.Text.Json.Nodes;
using ParallelSim.Cli.Commands;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Output;

/// <summary>Renders compare-schedules rows: one table (text, Markdown, CSV) or a JSON object.</summary>
public static class ScheduleComparisonReport
{
    public static string Render(SimulationInput input, IReadOnlyList<ScheduleComparisonRow> rows, OutputFormat format) =>
        format == OutputFormat.Json ? Json(input, rows).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n"
        : Table(input, rows).Render(format);

    public static TextTable Table(SimulationInput input, IReadOnlyList<ScheduleComparisonRow> rows)
    {
        var m = input.Model; var p = input.Plan; var c = input.Cluster;
        var t = new TextTable($"Pipeline schedules: {m.Name} on {c.Gpus} x {c.Gpu.Name}, tp {p.Tp} pp {p.Pp} dp {p.Dp} cp {p.Cp}, micro-batch {p.MicroBatch}, stack {input.Costs.Stack.Name} (event simulation; memory in GiB; shipped: whether the stack's framework ships the schedule)",
            "schedule", "vpp", "m", "global_batch", "step_ms", "bubble", "mfu", "peak_gib", "limiting_stage", "fits", "shipped", "stage_peaks_gib");
        foreach (var i in Enumerable.Range(1, 8)) t.RightAligned.Add(i);
        foreach (var x in rows)
        {
            if (x.Result is not { } r || x.Run is null)
            {
                t.Add(x.Schedule, x.Vpp.ToString(), x.MicroBatches.ToString(), x.GlobalBatch.ToString(), "-", "-", "-", "-", "-", "-", "-", $"skipped: {x.Skipped}");
                continue;
            }
            bool shipped = input.Costs.Stack.Schedules is not { } ships || ships.Contains(r.Plan.Schedule);
            t.Add(x.Schedule, x.Vpp.ToString(), x.MicroBatches.ToString(), x.GlobalBatch.ToString(), F(r.Time.Step.Milliseconds, 1),
                Pct(x.Run.Outcome.IdleFraction), Pct(r.Throughput.Mfu), F(r.Memory.Peak.GiB, 2), r.Memory.LimitingStage.ToString(),
                r.Memory.Verdict == Core.Simulation.MemoryVerdict.DoesNotFit ? "NO" : r.Memory.VerdictText, shipped ? "yes" : "no", string.Join(" ", r.Memory.Stages.Select(s => F(s.Peak.GiB, 1))));
        }
        return t;
    }

    public static JsonObject Json(SimulationInput input, IReadOnlyList<ScheduleComparisonRow> rows) => new()
    {
        ["model"] = input.Model.Name,
        ["gpu"] = input.Cluster.Gpu.Name,
        ["gpus"] = input.Cluster.Gpus,
        ["plan"] = new JsonObject
        {
            ["tp"] = input.Plan.Tp, ["pp"] = input.Plan.Pp, ["dp"] = input.Plan.Dp, ["cp"] = input.Plan.Cp, ["microBatch"] = input.Plan.MicroBatch,
        },
        ["rows"] = new JsonArray(rows.Select(x => (JsonNode)Row(x)).ToArray()),
    };

    private static JsonObject Row(ScheduleComparisonRow x)
    {
        var o = new JsonObject { ["schedule"] = x.Schedule, ["vpp"] = x.Vpp, ["microBatches"] = x.MicroBatches, ["globalBatch"] = x.GlobalBatch };
        if (x.Result is not { } r || x.Run is null) { o["skipped"] = x.Skipped; return o; }
        o["stepSeconds"] = r.Time.Step.Value;
        // the outcome's: first start to last end, or for ZB-H2 one rank's longest span (SimulatedPipeline.Outcome)
        o["pipelineSeconds"] = x.Run.Outcome.Makespan.Value;
        o["bubbleFraction"] = x.Run.Outcome.IdleFraction;
        o["mfu"] = r.Throughput.Mfu;
        o["peakBytes"] = r.Memory.Peak.Value;
        o["limitingStage"] = r.Memory.LimitingStage;
        o["fits"] = r.Memory.Fits;
        o["stages"] = new JsonArray(r.Memory.Stages.Select(s => (JsonNode)new JsonObject
        {
            ["stage"] = s.Stage, ["peakBytes"] = s.Peak.Value, ["activationsBytes"] = s.Activations.Value, ["microBatchesInFlight"] = s.MicroBatchesInFlight,
        }).ToArray());
        return o;
    }
}
