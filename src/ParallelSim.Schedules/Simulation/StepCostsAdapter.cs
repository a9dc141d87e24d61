using ParallelSim.Core.Costs;
using ParallelSim.Core.Parallelism;

namespace ParallelSim.Schedules.Simulation;

/// <summary>
/// The one place that reads Core's cost model into the simulator's input. A rank's StageCost covers all its
/// layers plus, on the first rank, the embedding and, on the last, the final norm, logits and loss. With v
/// chunks per rank (stage c·p + r) each chunk gets 1/v of the rank's layers; the embedding goes to the very
/// first stage and the logits to the very last, where the model runs them (spreading them over a rank's
/// chunks would slow every chunk that passes through it). One layer's timing is the lightest rank's share per
/// layer; what a rank costs beyond its layers is its extra. Every stage boundary takes the cost model's
/// point-to-point time.
/// </summary>
public static class StepCostsAdapter
{
    public static int Chunks(ParallelPlan plan) => plan.Schedule == ScheduleKind.Interleaved ? Math.Max(1, plan.Vpp) : 1;

    public static StageDurations Durations(StepCosts costs, ParallelPlan plan)
    {
        int p = costs.Stages.Count, v = Chunks(plan);
        var layer = Layer(costs);
        var stages = new StageTiming[p * v];
        for (int r = 0; r < p; r++)
        {
            var st = costs.Stages[r];
            var total = Timing(st, costs);
            var layers = layer.Times(st.Layers);
            var extra = total.Plus(layers.Times(-1));
            // the rank's extra: embedding on the first chunk of rank 0, logits on the last chunk of rank p-1, else spread
            int home = r == 0 ? 0 : r == p - 1 ? v - 1 : -1;
            for (int c = 0; c < v; c++)
            {
                var chunk = layers.Times(1.0 / v);
                chunk = home < 0 ? chunk.Plus(extra.Times(1.0 / v)) : c == home ? chunk.Plus(extra) : chunk;
                stages[c * p + r] = chunk with { SendToNext = costs.P2PTransfer };
            }
        }
        return new StageDurations(stages);
    }

    /// <summary>One layer's timing: the lightest per-layer share over the ranks (a rank with neither embedding nor logits).</summary>
    public static StageTiming Layer(StepCosts costs)
    {
        var perLayer = costs.Stages.Where(s => s.Layers > 0).Select(s => Timing(s, costs).Times(1.0 / s.Layers)).ToArray();
        if (perLayer.Length == 0) return Timing(costs.Stages[0], costs).Times(0);
        return perLayer.MinBy(t => (t.Forward + t.FullBackward).Value)!;
    }

    private static StageTiming Timing(StageCost st, StepCosts costs) =>
        new(st.Forward, st.Backward, st.BackwardInput, st.BackwardWeight, costs.P2PTransfer, st.ActivationsPerMicroBatch);
}
