using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;

namespace ParallelSim.Search;

public enum PlanStatus { Ok, OutOfMemory, Invalid, NotEvaluated }

/// <summary>The few numbers a sweep keeps per plan (the full result is recomputed for the few it shows).</summary>
public readonly record struct PlanMetrics(double StepSeconds, double TokensPerSecond, double Mfu, double PeakBytes, int LimitingStage, double BubbleFraction)
{
    public static PlanMetrics From(SimulationResult r) => new(r.Time.Step.Value, r.Throughput.TokensPerSecond, r.Throughput.Mfu,
        r.Memory.Peak.Value, r.Memory.LimitingStage, r.Time.BubbleFraction);
}

/// <summary>One evaluated plan: its status (ok or out of memory, with the reason), its numbers, and how they were obtained.</summary>
public sealed record EvaluatedPlan(ParallelPlan Plan, PlanStatus Status, string Reason, PlanMetrics Metrics, bool Refined)
{
    public long Gpus => Plan.Gpus;
    public bool Fits => Status == PlanStatus.Ok;
}
