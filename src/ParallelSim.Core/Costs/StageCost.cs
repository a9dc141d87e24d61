using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs;

/// <summary>
/// What one pipeline stage (one rank's share of layers, all its model chunks together) costs per
/// micro-batch: the durations the schedule simulator runs with, and its memory besides activations.
/// Backward = BackwardInput + BackwardWeight (split for zero-bubble schedules); both include
/// recomputation and exposed tensor-parallel communication.
/// </summary>
public sealed record StageCost(
    int Stage,
    int Layers,
    Seconds Forward,
    Seconds Backward,
    Seconds BackwardInput,
    Seconds BackwardWeight,
    Seconds TpComm,
    Seconds CpComm,
    Bytes ActivationsPerMicroBatch,
    Bytes Weights,
    Bytes Gradients,
    Bytes Optimizer,
    Bytes Other,
    long Parameters);
