using System.CommandLine;
using ParallelSim.Cli.Loading;
using ParallelSim.Cli.Output;
using ParallelSim.Core.Simulation;

namespace ParallelSim.Cli.Commands;

/// <summary>`parallelsim simulate`: one plan, end to end.</summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var plan = new PlanOptions();
        var format = CommonOptions.Format();
        var memoryPlot = new Option<string?>("--memory-plot") { Description = "Write the memory-per-stage chart to FILE.png or FILE.svg" };
        var cmd = new Command("simulate", "Simulate one training step of a model on a cluster under a parallel plan");
        plan.AddTo(cmd);
        cmd.Options.Add(format);
        cmd.Options.Add(memoryPlot);
        cmd.SetAction(r =>
        {
            var fmt = CommonOptions.ParseFormat(r.GetValue(format)!);
            var input = plan.Bind(r, Catalog.Default);
            var result = Evaluator.Evaluate(input.Model, input.Cluster, input.Plan, input.Costs);
            r.InvocationConfiguration.Output.Write(SimulationReport.Render(result, fmt));
            if (r.GetValue(memoryPlot) is string path)
                PlotAdapters.Write(path, p => Plotting.MemoryPlot.Save(PlotAdapters.MemoryBars(result), result.Memory.Capacity.GiB, PlotAdapters.MemoryTitle(result), p));
            return 0;
        });
        return cmd;
    }
}
