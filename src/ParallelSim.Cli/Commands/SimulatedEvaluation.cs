using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Schedules;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Cli.Commands;

/// <summary>The full path for one plan: cost model, then the schedule run by the event simulator.</summary>
public static class SimulatedEvaluation
{
    public static SimulationResult Evaluate(ModelSpec model, ClusterSpec cluster, ParallelPlan plan, CostOptions options) =>
        Run(model, cluster, plan, options).Result;

    /// <summary>The plan's generated schedule, or <paramref name="schedule"/> (e.g. from --schedule-file) when given.</summary>
    public static (SimulationResult Result, SimulatedRun Run) Run(ModelSpec model, ClusterSpec cluster, ParallelPlan plan, CostOptions options,
        PipelineSchedule? schedule = null)
    {
        var costs = CostModel.Evaluate(model, cluster, plan, options);
        var run = schedule is null ? SimulatedPipeline.Run(plan, costs, options, cluster) : SimulatedPipeline.Run(schedule, plan, costs, options, cluster);
        return (Evaluator.Combine(model, cluster, plan, options, costs, run.Outcome), run);
    }
}
