using ParallelSim.Core.Units;

namespace ParallelSim.Schedules.Simulation;

/// <summary>
/// What one (virtual) stage costs per micro-batch: forward, full backward, and its split into backward
/// for inputs (I) and for weights (W); the point-to-point time to send one micro-batch's activation to
/// stage + 1 (its gradient comes back over the same link in the same time); and the activation bytes
/// the stage holds from its forward until its backward for inputs.
/// </summary>
public sealed record StageTiming(
    Seconds Forward,
    Seconds FullBackward,
    Seconds BackwardInput,
    Seconds BackwardWeight,
    Seconds SendToNext,
    Bytes ActivationsPerMicroBatch)
{
    /// <summary>Durations and activations scaled by k (the link is kept).</summary>
    public StageTiming Times(double k) => this with
    {
        Forward = Forward * k, FullBackward = FullBackward * k, BackwardInput = BackwardInput * k,
        BackwardWeight = BackwardWeight * k, ActivationsPerMicroBatch = ActivationsPerMicroBatch * k,
    };

    /// <summary>Durations and activations added (the link is kept).</summary>
    public StageTiming Plus(StageTiming o) => this with
    {
        Forward = Forward + o.Forward, FullBackward = FullBackward + o.FullBackward, BackwardInput = BackwardInput + o.BackwardInput,
        BackwardWeight = BackwardWeight + o.BackwardWeight, ActivationsPerMicroBatch = ActivationsPerMicroBatch + o.ActivationsPerMicroBatch,
    };

    /// <summary>This stage without <paramref name="count"/> layers of the given per-layer timing (the link is kept).</summary>
    public StageTiming WithoutLayers(StageTiming perLayer, int count) => Plus(perLayer.Times(-count));
}

/// <summary>Per-stage durations, the simulator's only input besides the schedule (indexed by stage).</summary>
public sealed record StageDurations(IReadOnlyList<StageTiming> Stages)
{
    /// <summary>
    /// Identical stages: forward tf, full backward tb (split as I = tb - tw, W = tw), p2p time, unit activations.
    /// </summary>
    public static StageDurations Uniform(int stages, Seconds forward, Seconds backward, Seconds? p2p = null, Seconds? weight = null)
    {
        var w = weight ?? backward / 2;
        var t = new StageTiming(forward, backward, backward - w, w, p2p ?? Seconds.Zero, new Bytes(1));
        return new StageDurations(Enumerable.Repeat(t, stages).ToArray());
    }

    /// <summary>A copy with one stage's timing replaced.</summary>
    public StageDurations With(int stage, StageTiming timing)
    {
        var copy = Stages.ToArray();
        copy[stage] = timing;
        return new StageDurations(copy);
    }

    public Seconds Duration(PipelineAction a)
    {
        var t = Stages[a.Stage];
        return a.Kind switch
        {
            ActionKind.Forward => t.Forward,
            ActionKind.FullBackward => t.FullBackward,
            ActionKind.BackwardInput => t.BackwardInput,
            ActionKind.BackwardWeight => t.BackwardWeight,
            _ => Seconds.Zero,
        };
    }
}
