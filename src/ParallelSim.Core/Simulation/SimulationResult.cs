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

public sealed record MemoryReport(bool Fits, Bytes Capacity, Bytes Peak, int LimitingStage, IReadOnlyList<StageMemory> Stages);

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
