using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;

namespace ParallelSim.Search;

/// <summary>
/// Evaluates one plan. The sweep screens every plan with one (the analytical path by default) and
/// re-runs the best K with another: plug the pipeline event simulator in there.
/// </summary>
public delegate SimulationResult PlanEvaluator(ModelSpec model, ClusterSpec cluster, ParallelPlan plan, CostOptions options);

/// <summary>Everything a sweep needs: what to train, on which GPU counts, which plans, how to rank them.</summary>
public sealed record SweepRequest(ModelSpec Model, NodeSpec Node, IReadOnlyList<int> GpuCounts, PlanFixed Fixed)
{
    public SweepDimensions Dimensions { get; init; } = SweepDimensions.Open;
    public CostOptions Costs { get; init; } = CostOptions.Default;
    /// <summary>Fraction of GPU memory kept free: a plan fits when its peak is at most capacity x (1 - headroom).</summary>
    public double Headroom { get; init; } = 0.05;
    public Objective Objective { get; init; } = Objective.StepTime;
    public double? PricePerGpuHour { get; init; }
    /// <summary>How many of the best screened plans are re-run through the refining evaluator.</summary>
    public int RefineTop { get; init; } = 20;
    /// <summary>Tokens to train, for the time-to-train Pareto front over GPU counts.</summary>
    public double? TokenBudget { get; init; }
    /// <summary>Also list equivalent and unsupported plans (<see cref="SweepRules"/>).</summary>
    public bool KeepEquivalent { get; init; }
    /// <summary>Cores to use; null: all.</summary>
    public int? MaxDegreeOfParallelism { get; init; }
}
