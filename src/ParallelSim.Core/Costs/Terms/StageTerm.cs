using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs.Terms;

/// <summary>
/// What one part of a pipeline stage adds per micro-batch: pass times, parameters held, activation bytes kept for backward,
/// and named extra bytes (alive at the peak but not activations of a layer).
/// </summary>
public readonly record struct StageTerm(Seconds Forward, Seconds BackwardInput, Seconds BackwardWeight, long Parameters, double ActivationBytes, double OtherBytes);
