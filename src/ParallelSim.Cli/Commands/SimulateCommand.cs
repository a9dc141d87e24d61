using System.CommandLine;
using ParallelSim.Readers;
using ParallelSim.Cli.Output;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Cli.Commands;

/// <summary>`parallelsim simulate`: one plan, end to end, with the pipeline run by the event simulator.</summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var plan = new PlanOptions();
        var format = CommonOptions.Format();
        var trace = CommonOptions.Trace();
        var plot = CommonOptions.PlotFile("--plot", "the pipeline timeline");
        var memoryPlot = CommonOptions.PlotFile("--memory-plot", "the memory-per-stage chart");
        var cmd = new Command("simulate", "Simulate one training step of a model on a cluster under a parallel plan");
        plan.AddTo(cmd);
        cmd.Options.Add(plan.ScheduleFile);
        cmd.Options.Add(format);
        cmd.Options.Add(trace);
        cmd.Options.Add(plot);
        cmd.Options.Add(memoryPlot);
        cmd.SetAction(r =>
        {
            var fmt = CommonOptions.ParseFormat(r.GetValue(format)!);
            var file = plan.BindScheduleFile(r);
            var input = plan.Bind(r, Catalog.Default, file is null ? null : p => ScheduleFile.Fit(file, p, r.GetValue(plan.GlobalBatch) is not null));
            var (result, run) = SimulatedEvaluation.Run(input.Model, input.Cluster, input.Plan, input.Costs, file?.Schedule);
            if (r.GetValue(trace) is { } path) TraceFile.Write(path, [($"{run.Schedule.Name} m={run.Schedule.MicroBatches}", run.Timeline)]);
            r.InvocationConfiguration.Output.Write(SimulationReport.Render(result, fmt, file?.Label));
            string scheduleName = file is null ? ScheduleNames.Name(input.Plan.Schedule) : run.Schedule.Name;
            if (r.GetValue(plot) is string plotPath)
                PlotAdapters.Write(plotPath, p => Plotting.TimelinePlot.Save(
                    [TimelineAdapter.Panel(run.Timeline, scheduleName)],
                    $"Pipeline timeline: {input.Model.Name}, {scheduleName}, p = {input.Plan.Pp}, m = {input.Plan.MicroBatches}" +
                    (input.Plan.Vpp > 1 ? $", v = {input.Plan.Vpp}" : "") + $" (bubble {Fmt.Pct(result.Time.BubbleFraction)})", p));
            if (r.GetValue(memoryPlot) is string memoryPath)
                PlotAdapters.Write(memoryPath, p => Plotting.MemoryPlot.Save(PlotAdapters.MemoryBars(result), result.Memory.Capacity.GiB, PlotAdapters.MemoryTitle(result), p));
            return 0;
        });
        return cmd;
    }
}
