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
    long Parameters)
{
    /// <summary>
    /// The output head's part of the totals above (final norm, logits and loss) on the rank that runs the loss; null
    /// elsewhere. With chunks per rank, the schedule adapter gives it to the chunk that runs the last stage.
    /// </summary>
    public HeadCost? Head { get; init; }
}

/// <summary>The output head's time and held activations per micro-batch (part of a <see cref="StageCost"/>).</summary>
public sealed record HeadCost(Seconds Forward, Seconds BackwardInput, Seconds BackwardWeight, Bytes ActivationsPerMicroBatch);
