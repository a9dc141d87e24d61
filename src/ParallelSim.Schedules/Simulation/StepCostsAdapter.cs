using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;

namespace ParallelSim.Schedules.Simulation;

/// <summary>
/// The one place that reads Core's cost model into the simulator's input. A rank's StageCost covers all its
/// layers plus, on the first rank, the embedding and, on the loss rank, the final norm, logits and loss (its
/// <see cref="HeadCost"/>). With v chunks per rank (<see cref="PipelineChunks"/>: interleaved stage c·p + r,
/// DualPipeV's V stages r and 2p - 1 - r) each chunk gets 1/v of the rank's layers; by stage, the head goes to
/// the very last stage and the rest of the rank's extra (the embedding) to the very first, where the model runs
/// them (spreading them over a rank's chunks would slow every chunk that passes through it). With the V both
/// are on rank 0, in its two chunks. One layer's timing is the lightest rank's share per
/// layer; what a rank costs beyond its layers is its extra. Without a cluster every stage boundary takes the
/// cost model's point-to-point time; with one, each boundary takes the intra-node or the inter-node link by
/// where its two ranks sit (pipeline outermost: rank r holds GPUs r·s .. (r+1)·s - 1, s = tp·cp·dp).
/// </summary>
public static class StepCostsAdapter
{
    public static int Chunks(ParallelPlan plan) => PipelineChunks.PerRank(plan);

    public static StageDurations Durations(StepCosts costs, ParallelPlan plan, ClusterSpec? cluster = null)
    {
        int p = costs.Stages.Count, v = Chunks(plan);
        var link = Links(costs, plan, cluster);
        var layer = Layer(costs);
        int S = p * v;
        var stages = new StageTiming[S];
        for (int r = 0; r < p; r++)
        {
            var st = costs.Stages[r];
            var total = Timing(st, costs);
            var layers = layer.Times(st.Layers);
            var head = st.Head is { } h ? new StageTiming(h.Forward, h.BackwardInput + h.BackwardWeight, h.BackwardInput, h.BackwardWeight,
                costs.P2PTransfer, h.ActivationsPerMicroBatch) : null;
            var extra = total.Plus(layers.Times(-1));
            if (head is not null) extra = extra.Plus(head.Times(-1));
            var chunkStages = Enumerable.Range(0, v).Select(c => PipelineChunks.Stage(plan, p, r, c)).ToArray();
            // by stage: the head on the chunk running the last stage; the rest of the extra (the embedding) on the chunk
            // running stage 0, else on the one running the last stage, else spread over the rank's chunks
            int headChunk = Array.IndexOf(chunkStages, S - 1);
            int home = Array.IndexOf(chunkStages, 0) is int first and >= 0 ? first : headChunk;
            for (int c = 0; c < v; c++)
            {
                var chunk = layers.Times(1.0 / v);
                chunk = home < 0 ? chunk.Plus(extra.Times(1.0 / v)) : c == home ? chunk.Plus(extra) : chunk;
                if (head is not null) chunk = c == headChunk || headChunk < 0 ? chunk.Plus(head.Times(headChunk < 0 ? 1.0 / v : 1)) : chunk;
                // a stage sends to the next stage's rank (the interleaved wrap goes to rank 0; the V's turn stays on rank p - 1)
                int s = chunkStages[c];
                stages[s] = chunk with { SendToNext = link(r, s + 1 < S ? PipelineChunks.Rank(plan, p, s + 1) : (r + 1) % p) };
            }
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
