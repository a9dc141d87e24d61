using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Simulation;

public sealed record StageMemory(int Stage, int Layers, Bytes Weights, Bytes Gradients, Bytes Optimizer,
    Bytes Activations, Bytes Other, double MicroBatchesInFlight)
{
    public Bytes Peak => Weights + Gradients + Optimizer + Activations + Other;
}

/// <summary>
/// Whether a plan fits: <see cref="MemoryVerdict.Tight"/> when what the caching allocator would hold is within the memory model's
/// known error of the capacity (either side), so the answer could go either way on a real run.
/// </summary>
public enum MemoryVerdict { Fits, Tight, DoesNotFit }

/// <summary>
/// Memory of the limiting stage against the capacity. <see cref="Fits"/> is whether what the allocator holds (<see cref="Reserved"/>:
/// the peak allocated plus the caching allocator's unsplit and cached blocks) stays within the capacity; <see cref="Verdict"/> adds the
/// band of the model's own error around it.
/// </summary>
public sealed record MemoryReport(bool Fits, Bytes Capacity, Bytes Peak, int LimitingStage, IReadOnlyList<StageMemory> Stages)
{
    public Bytes Reserved { get; init; } = Peak;
    public MemoryVerdict Verdict { get; init; } = Fits ? MemoryVerdict.Fits : MemoryVerdict.DoesNotFit;

    /// <summary>The caching allocator's held fraction and the model's error margin the verdict used.</summary>
    public double HeldFraction { get; init; }
    public double Margin { get; init; }

    /// <summary>The verdict as printed: yes, tight or no.</summary>
    public string VerdictText => Text(Verdict);

    public static string Text(MemoryVerdict v) => v switch { MemoryVerdict.Fits => "yes", MemoryVerdict.Tight => "tight", _ => "no" };

    /// <summary>The verdict for another peak (one stage's) under the same allocator fraction and margin.</summary>
    public MemoryVerdict VerdictFor(Bytes peak) => Classify(Capacity, peak * (1 + HeldFraction), Margin);

    private static MemoryVerdict Classify(Bytes capacity, Bytes reserved, double margin) =>
        reserved.Value <= capacity.Value * (1 - margin) ? MemoryVerdict.Fits
        : reserved.Value <= capacity.Value * (1 + margin) ? MemoryVerdict.Tight : MemoryVerdict.DoesNotFit;

    /// <summary>The report for a limiting peak: reserved = peak x (1 + held fraction); tight within the margin of the capacity.</summary>
    public static MemoryReport Of(Bytes capacity, Bytes peak, int limitingStage, IReadOnlyList<StageMemory> stages, double heldFraction, double margin)
    {
        var reserved = peak * (1 + heldFraction);
        return new MemoryReport(reserved <= capacity, capacity, peak, limitingStage, stages)
        { Reserved = reserved, Verdict = Classify(capacity, reserved, margin), HeldFraction = heldFraction, Margin = margin };
    }
}

public sealed record TimeReport(
    Seconds Step,
    Seconds Compute,
    Seconds Bubble,
    double BubbleFraction,
    Seconds TpComm,
    Seconds PpComm,
    Seconds DpComm,
    Seconds CpComm,
    Seconds ExposedComm,
    Seconds Optimizer);

public sealed record ThroughputReport(
    double TokensPerSecond,
    Flops ModelFlopsPerStep,
    Flops HardwareFlopsPerStep,
    FlopsPerSecond ModelFlopsPerGpu,
    FlopsPerSecond HardwareFlopsPerGpu,
    double Mfu,
    double Hfu);

/// <summary>Everything `simulate` reports for one plan.</summary>
public sealed record SimulationResult(
    ModelSpec Model,
    ClusterSpec Cluster,
    ParallelPlan Plan,
    MemoryReport Memory,
    TimeReport Time,
    ThroughputReport Throughput,
    StepCosts Costs,
    IReadOnlyList<PlanIssue> Warnings);
