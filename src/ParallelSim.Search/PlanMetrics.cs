using System.Globalization;
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

/// <summary>
/// One evaluated plan: its status, its numbers, and how they were obtained. It fits when its peak is
/// at most the GPU's capacity less the headroom; the reason for out of memory is written only when asked.
/// </summary>
public sealed record EvaluatedPlan(ParallelPlan Plan, PlanMetrics Metrics, bool Refined, double CapacityBytes, double Headroom)
{
    public long Gpus => Plan.Gpus;
    public double UsableBytes => CapacityBytes * (1 - Headroom);
    public bool Fits => Metrics.PeakBytes <= UsableBytes;
    public PlanStatus Status => Fits ? PlanStatus.Ok : PlanStatus.OutOfMemory;

    public string Reason
    {
        get
        {
            if (Fits) return "";
            const double GiB = 1024.0 * 1024 * 1024;
            return string.Create(CultureInfo.InvariantCulture,
                $"peak {Metrics.PeakBytes / GiB:F1} GiB on stage {Metrics.LimitingStage} exceeds {UsableBytes / GiB:F1} GiB ({CapacityBytes / GiB:F0} GiB less {Headroom * 100:0.#}% headroom)");
        }
    }
}
