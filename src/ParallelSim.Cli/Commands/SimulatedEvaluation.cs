using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Cli.Commands;

/// <summary>The full path for one plan: cost model, then the schedule run by the event simulator.</summary>
public static class SimulatedEvaluation
{
    public static SimulationResult Evaluate(ModelSpec model, ClusterSpec cluster, ParallelPlan plan, CostOptions options) =>
        Run(model, cluster, plan, options).Result;

    public static (SimulationResult Result, SimulatedRun Run) Run(ModelSpec model, ClusterSpec cluster, ParallelPlan plan, CostOptions options)
    {
        var costs = CostModel.Evaluate(model, cluster, plan, options);
        var run = SimulatedPipeline.Run(plan, costs, options, cluster);
        return (Evaluator.Combine(model, cluster, plan, options, costs, run.Outcome), run);
    }
}
