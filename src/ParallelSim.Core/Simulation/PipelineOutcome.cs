using ParallelSim.Core.Units;

namespace ParallelSim.Core.Simulation;

/// <summary>
/// What the pipeline schedule contributes to a step: its makespan (first action start to last end, over
/// all ranks), the busy compute time of the busiest rank, and the peak number of micro-batches' worth
/// of activations each stage holds, and the bubble fraction: idle compute time over total, Σ_r (makespan - busy_r)
/// / (ranks · makespan), which counts waiting on transfers and on slower stages as idle. From a closed form or
/// from the event simulator.
/// </summary>
public sealed record PipelineOutcome(Seconds Makespan, Seconds BusiestRankCompute, IReadOnlyList<double> PeakInFlight, string Method, double IdleFraction);
