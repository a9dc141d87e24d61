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
        var cmd = new Command("simulate", "Simulate one training step of a model on a cluster under a parallel plan");
        plan.AddTo(cmd);
        cmd.Options.Add(format);
        cmd.SetAction(r =>
        {
            var fmt = CommonOptions.ParseFormat(r.GetValue(format)!);
            var input = plan.Bind(r, Catalog.Default);
            var result = Evaluator.Evaluate(input.Model, input.Cluster, input.Plan, input.Costs);
            r.InvocationConfiguration.Output.Write(SimulationReport.Render(result, fmt));
            return 0;
        });
        return cmd;
    }
}
