using System.CommandLine;
using System.Globalization;
using ParallelSim.Readers;
using ParallelSim.Cli.Output;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Cli.Commands;

/// <summary>
/// `parallelsim compare-schedules`: one model, cluster and plan under GPipe, 1F1B, ZB-H1, ZB-H2, interleaved 1F1B (the
/// plan's vpp, or 2 when vpp is 1 and the layers allow) and DualPipeV (2 chunks per rank in a V), for each micro-batch
/// count asked for; the global batch follows as m × micro-batch × dp.
/// </summary>
public static class CompareSchedulesCommand
{
    public static Command Create()
    {
        var plan = new PlanOptions();
        var format = CommonOptions.Format();
        var trace = CommonOptions.Trace();
        var plot = CommonOptions.PlotFile("--plot", "the timelines, one panel per schedule (first micro-batch count),");
        var bubblePlot = CommonOptions.PlotFile("--bubble-plot", "bubble fraction vs micro-batches, one line per schedule,");
        var micro = new Option<string?>("--micro-batches") { Description = "Micro-batch counts per step to compare, e.g. 8,16,32,64 [default: the plan's]" };
        var cmd = new Command("compare-schedules", "Compare pipeline schedules (GPipe, 1F1B, ZB-H1, ZB-H2, interleaved, DualPipeV) on one plan: step time, bubble, peak memory, MFU");
        plan.AddTo(cmd);
        cmd.Options.Add(plan.ScheduleFile);
        cmd.Options.Add(micro);
        cmd.Options.Add(format);
        cmd.Options.Add(trace);
        cmd.Options.Add(plot);
        cmd.Options.Add(bubblePlot);
        cmd.SetAction(r =>
        {
            var fmt = CommonOptions.ParseFormat(r.GetValue(format)!);
            // a schedule file adds its own row; the generated schedules are compared at its micro-batch count unless told otherwise
            var file = plan.BindScheduleFile(r, exclusive: false);
            var counts = ParseCounts(r.GetValue(micro)) ?? (file is null ? null : [file.Schedule.MicroBatches]);
            // the global batch and the schedule vary per row: validate the plan with the first count under 1F1B
            int vpp = r.GetValue(plan.Vpp) ?? 1;
            var input = plan.Bind(r, Catalog.Default, p => p with
            {
                GlobalBatch = counts is null ? p.GlobalBatch : p.MicroBatch * p.Dp * counts[0], Schedule = ScheduleKind.OneFOneB, Vpp = 1,
            });
            var rows = Compare(input, counts ?? [input.Plan.MicroBatches], vpp, file);
            if (r.GetValue(trace) is { } path)
                TraceFile.Write(path, rows.Where(x => x.Run is not null).Select(x => ($"{x.Schedule} vpp={x.Vpp} m={x.MicroBatches}", x.Run!.Timeline)).ToArray());
            r.InvocationConfiguration.Output.Write(ScheduleComparisonReport.Render(input, rows, fmt));
            if (r.GetValue(plot) is string plotPath)
                PlotAdapters.Write(plotPath, p => Plotting.TimelinePlot.Save(TimelinePanels(rows),
                    $"Pipeline schedules compared: {input.Model.Name}, p = {input.Plan.Pp}, m = {rows[0].MicroBatches}, on {input.Cluster.Gpus} x {input.Cluster.Gpu.Name}", p));
            if (r.GetValue(bubblePlot) is string bubblePath)
                PlotAdapters.Write(bubblePath, p => Plotting.BubblePlot.Save(BubbleSeries(rows),
                    $"Bubble fraction vs micro-batches: {input.Model.Name}, p = {input.Plan.Pp} (event simulation)", p));
            return 0;
        });
        return cmd;
    }

    /// <summary>One timeline panel per schedule, at the first micro-batch count compared.</summary>
    public static IReadOnlyList<Plotting.TimelinePanel> TimelinePanels(IReadOnlyList<ScheduleComparisonRow> rows)
    {
        int m = rows[0].MicroBatches;
        return rows.Where(x => x.Run is not null && x.MicroBatches == m)
            .Select(x => TimelineAdapter.Panel(x.Run!.Timeline, x.Vpp > 1 ? $"{x.Schedule} v{x.Vpp}" : x.Schedule)).ToArray();
    }

    /// <summary>Bubble fraction against m, one series per schedule that ran.</summary>
    public static IReadOnlyList<Plotting.BubbleSeries> BubbleSeries(IReadOnlyList<ScheduleComparisonRow> rows) =>
        rows.Where(x => x.Result is not null).GroupBy(x => x.Vpp > 1 ? $"{x.Schedule} (v = {x.Vpp})" : x.Schedule)
            .Select(g => new Plotting.BubbleSeries(g.Key, g.Select(x => x.MicroBatches).ToArray(), g.Select(x => x.Result!.Time.BubbleFraction).ToArray()))
            .ToArray();

    private static int[]? ParseCounts(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new List<int>();
        var bad = new List<string>();
        foreach (var part in parts)
            if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= 1) values.Add(v);
            else bad.Add(part);
        if (bad.Count > 0 || values.Count == 0)
            throw new UserInputException($"--micro-batches '{text}' is not valid: give whole numbers of at least 1, separated by commas (e.g. 8,16,32,64)");
        return values.Distinct().ToArray();
    }

    /// <summary>Every (schedule, m) pair, simulated; a pair the plan cannot run carries the reason instead.</summary>
    public static IReadOnlyList<ScheduleComparisonRow> Compare(SimulationInput input, IReadOnlyList<int> counts, int vpp = 1, ScheduleFileInput? file = null)
    {
        var basePlan = input.Plan;
        int v = vpp > 1 ? vpp : 2;
        var variants = new List<(ScheduleKind Kind, int Vpp, string? Skip)>
        {
            (ScheduleKind.GPipe, 1, null),
            (ScheduleKind.OneFOneB, 1, null),
            (ScheduleKind.ZeroBubbleH1, 1, null),
            (ScheduleKind.ZeroBubbleH2, 1, null),
            (ScheduleKind.Interleaved, v, basePlan.Pp == 1 ? "pp is 1"
                : StageLayers.Problems(input.Model.Layers, basePlan.Pp, v, basePlan.Split) is { Count: > 0 } split ? string.Join("; ", split) : null),
            (ScheduleKind.DualPipeV, 2, basePlan.Split is { IsEven: false } ? "dualpipev takes an even layer split only"
                : input.Model.Layers % (basePlan.Pp * 2) != 0 ? $"layers ({input.Model.Layers}) not divisible by pp x 2 ({basePlan.Pp} x 2)" : null),
        };
        var rows = new List<ScheduleComparisonRow>();
        foreach (var (kind, chunks, skip) in variants)
            foreach (int m in counts)
            {
                string name = ScheduleNames.Name(kind);
                var plan = basePlan with { Schedule = kind, Vpp = chunks, GlobalBatch = m * basePlan.MicroBatch * basePlan.Dp };
                string? reason = skip ?? (kind == ScheduleKind.Interleaved && m % plan.Pp != 0 ? $"m ({m}) not a multiple of pp ({plan.Pp})"
                    : kind == ScheduleKind.DualPipeV && m < 2 * plan.Pp ? $"m ({m}) below 2 x pp ({2 * plan.Pp})" : null);
                if (reason is not null) { rows.Add(new ScheduleComparisonRow(name, chunks, m, plan.GlobalBatch, null, null, reason)); continue; }
                var costs = CostModel.Evaluate(input.Model, input.Cluster, plan, input.Costs);
                var run = SimulatedPipeline.Run(plan, costs, input.Costs, input.Cluster);
                var result = Evaluator.Combine(input.Model, input.Cluster, plan, input.Costs, costs, run.Outcome);
                rows.Add(new ScheduleComparisonRow(name, chunks, m, plan.GlobalBatch, result, run, null));
            }
        if (file is not null) rows.Add(FileRow(input, file));
        return rows;
    }

    /// <summary>The user's schedule at its own micro-batch count, named after its file; skipped when the plan cannot hold it.</summary>
    private static ScheduleComparisonRow FileRow(SimulationInput input, ScheduleFileInput file)
    {
        string name = Path.GetFileNameWithoutExtension(file.Label);
        var plan = ScheduleFile.Fit(file, input.Plan, globalBatchGiven: false);
        var errors = PlanValidator.Validate(input.Model, input.Cluster, plan).Where(i => i.Severity == Severity.Error).Select(i => i.Message).ToArray();
        if (errors.Length > 0) return new ScheduleComparisonRow(name, plan.Vpp, plan.MicroBatches, plan.GlobalBatch, null, null, string.Join("; ", errors));
        var costs = CostModel.Evaluate(input.Model, input.Cluster, plan, input.Costs);
        var run = SimulatedPipeline.Run(file.Schedule, plan, costs, input.Costs, input.Cluster);
        var result = Evaluator.Combine(input.Model, input.Cluster, plan, input.Costs, costs, run.Outcome);
        return new ScheduleComparisonRow(name, plan.Vpp, plan.MicroBatches, plan.GlobalBatch, result, run, null);
    }
}

/// <summary>One schedule at one micro-batch count: its simulated run and end-to-end result, or why it was skipped.</summary>
public sealed record ScheduleComparisonRow(string Schedule, int Vpp, int MicroBatches, int GlobalBatch, SimulationResult? Result, SimulatedRun? Run, string? Skipped);
