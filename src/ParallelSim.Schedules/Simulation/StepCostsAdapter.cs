using ParallelSim.Core.Costs;
using ParallelSim.Core.Parallelism;

namespace ParallelSim.Schedules.Simulation;

/// <summary>
/// The one place that reads Core's cost model into the simulator's input. A rank's StageCost covers all its
/// layers; with v chunks per rank each chunk (stage c·p + r) gets 1/v of the rank's durations and activations
/// (the embedding and the logits are spread over the first and last rank's chunks, an approximation). Every
/// stage boundary takes the cost model's point-to-point time.
/// </summary>
public static class StepCostsAdapter
{
    public static int Chunks(ParallelPlan plan) => plan.Schedule == ScheduleKind.Interleaved ? Math.Max(1, plan.Vpp) : 1;

    public static StageDurations Durations(StepCosts costs, ParallelPlan plan)
    {
        int p = costs.Stages.Count, v = Chunks(plan);
        var stages = new StageTiming[p * v];
        for (int c = 0; c < v; c++)
            for (int r = 0; r < p; r++)
            {
                var st = costs.Stages[r];
                stages[c * p + r] = new StageTiming(st.Forward / v, st.Backward / v, st.BackwardInput / v, st.BackwardWeight / v,
                    costs.P2PTransfer, st.ActivationsPerMicroBatch / v);
            }
        return new StageDurations(stages);
    }
}
