using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;

namespace ParallelSim.Schedules.Simulation;

/// <summary>
/// The one place that reads Core's cost model into the simulator's input. A rank's StageCost covers all its
/// layers plus, on the first rank, the embedding and, on the last, the final norm, logits and loss. With v
/// chunks per rank (stage c·p + r) each chunk gets its own layers (<see cref="StageLayers.PerVirtualStage(int, int, int, LayerSplit?)"/>:
/// 1/v of the rank's, one fewer on the very first or last chunk when the plan counts the embedding or the loss as a
/// layer); the embedding goes to the very first stage and the logits to the very last, where the model runs them
/// (spreading them over a rank's chunks would slow every chunk that passes through it). One layer's timing is the
/// lightest rank's share per layer; what a rank costs beyond its layers is its extra. Without a cluster every stage boundary takes the
/// cost model's point-to-point time; with one, each boundary takes the intra-node or the inter-node link by
/// where its two ranks sit (pipeline outermost: rank r holds GPUs r·s .. (r+1)·s - 1, s = tp·cp·dp).
/// </summary>
/// <remarks>DualPipeV's V is read by stage, not by "rank p - 1 is last": see <see cref="DualPipeVDurations"/>.</remarks>
public static class StepCostsAdapter
{
    public static StageDurations Durations(StepCosts costs, ParallelPlan plan, ClusterSpec? cluster = null)
    {
        int p = costs.Stages.Count, v = PipelineChunks.PerRank(plan);
        var link = Links(costs, plan, cluster);
        var layer = Layer(costs);
        if (plan.Schedule == ScheduleKind.DualPipeV) return DualPipeVDurations(costs, plan, link, layer);
        var chunkLayers = StageLayers.PerVirtualStage(costs.Stages.Sum(s => s.Layers), p, v, plan.Split);
        var stages = new StageTiming[p * v];
        for (int r = 0; r < p; r++)
        {
            var st = costs.Stages[r];
            int held = 0;
            for (int c = 0; c < v; c++) held += chunkLayers[c * p + r];
            if (held != st.Layers)
                throw new ArgumentException($"rank {r} of the costs holds {st.Layers} layers, the plan's split gives its chunks {held}");
            var total = Timing(st, costs);
            var extra = total.Plus(layer.Times(-st.Layers));
            // the rank's extra: embedding on the first chunk of rank 0, logits on the last chunk of rank p-1, else spread
            int home = r == 0 ? 0 : r == p - 1 ? v - 1 : -1;
            for (int c = 0; c < v; c++)
            {
                var chunk = layer.Times(chunkLayers[c * p + r]);
                chunk = home < 0 ? chunk.Plus(extra.Times(1.0 / v)) : c == home ? chunk.Plus(extra) : chunk;
                // stage c·p + r sends to c·p + r + 1: rank r + 1, or rank 0 of the next chunk
                stages[c * p + r] = chunk with { SendToNext = link(r, (r + 1) % p) };
            }
        }
        return new StageDurations(stages);
    }

    /// <summary>
    /// DualPipeV's V, by stage: rank r runs stage r (chunk 0) and stage 2p - 1 - r (chunk 1), each with half its layers. The
    /// head (<see cref="HeadCost"/>; with the V the cost model puts the loss on rank 0) goes to the chunk running the last
    /// stage, 2p - 1, and the rest of rank 0's extra (the embedding) to stage 0; another rank's extra is spread over its two
    /// chunks. Each stage sends to the next stage's rank; the V's turn (stage p - 1 to p) stays on rank p - 1.
    /// </summary>
    private static StageDurations DualPipeVDurations(StepCosts costs, ParallelPlan plan, Func<int, int, Seconds> link, StageTiming layer)
    {
        int p = costs.Stages.Count, S = 2 * p;
        var stages = new StageTiming[S];
        for (int r = 0; r < p; r++)
        {
            var st = costs.Stages[r];
            var half = layer.Times(st.Layers / 2.0);
            var extra = Timing(st, costs).Plus(layer.Times(-st.Layers));
            var head = st.Head is { } h
                ? new StageTiming(h.Forward, h.BackwardInput + h.BackwardWeight, h.BackwardInput, h.BackwardWeight, costs.P2PTransfer, h.ActivationsPerMicroBatch)
                : null;
            if (head is not null) extra = extra.Plus(head.Times(-1));
            // chunk 0: half the layers and, on rank 0, the embedding; chunk 1: the other half and the head; elsewhere the extra split
            var first = r == 0 ? half.Plus(extra) : half.Plus(extra.Times(0.5));
            var second = r == 0 ? half : half.Plus(extra.Times(0.5));
            if (head is not null) second = second.Plus(head);
            int s0 = r, s1 = S - 1 - r;
            stages[s0] = first with { SendToNext = link(r, PipelineChunks.Rank(plan, p, s0 + 1)) };
            stages[s1] = second with { SendToNext = s1 + 1 < S ? link(r, PipelineChunks.Rank(plan, p, s1 + 1)) : costs.P2PTransfer };
        }
        return new StageDurations(stages);
    }

    /// <summary>
    /// Transfer time between two pipeline ranks. The message size is read back from the cost model's transfer
    /// time on the link it chose (bytes = (time - latency) × bandwidth), so the formula stays in one place.
    /// </summary>
    private static Func<int, int, Seconds> Links(StepCosts costs, ParallelPlan plan, ClusterSpec? cluster)
    {
        if (cluster is null || costs.P2PTransfer.Value <= 0) return (_, _) => costs.P2PTransfer;
        var used = costs.P2PInterNode ? cluster.Node.InterNode : cluster.Node.IntraNode;
        var bytes = new Bytes(Math.Max(0, (costs.P2PTransfer - used.Latency).Value) * used.Bandwidth.Value);
        var intra = cluster.Node.IntraNode.Transfer(bytes); var inter = cluster.Node.InterNode.Transfer(bytes);
        long stride = (long)plan.Tp * plan.Cp * plan.Dp, g = cluster.GpusPerNode;
        long NodeOf(long gpu) => gpu / g;
        bool OneNode(int r) => NodeOf(r * stride) == NodeOf((r + 1) * stride - 1);
        // both ranks' GPUs in one node: the intra-node link; else the network
        return (a, b) => OneNode(a) && OneNode(b) && NodeOf(a * stride) == NodeOf(b * stride) ? intra : inter;
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
