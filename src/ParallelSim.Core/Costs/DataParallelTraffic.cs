using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Stack;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs;

/// <summary>
/// A step's data-parallel traffic: gradient reduction, the sharded optimizer's parameter all-gather and ZeRO-3's parameter
/// gathers. <see cref="Zero3Exposed"/> is set when the stack gathers layer by layer with prefetch (FSDP, DeepSpeed stage 3):
/// then the exposure is per layer and already final.
/// </summary>
public readonly record struct DataParallelCosts(Seconds Comm, Seconds Overlappable, Seconds Zero3Comm, Seconds? Zero3Exposed);

/// <summary>The stack's collectives over the data-parallel group of one plan.</summary>
public static class DataParallelTraffic
{
    /// <param name="largestParameters">parameters of the stage with the most (its gradients are reduced last)</param>
    /// <param name="layerForward">one layer's forward time per micro-batch (the window a prefetched gather hides in)</param>
    /// <param name="layerBackward">one layer's backward time per micro-batch, recomputation included</param>
    public static DataParallelCosts Of(ModelSpec m, ClusterSpec c, ParallelPlan plan, CostOptions o,
        long largestParameters, int largestLayers, Seconds largestForward, Seconds largestBackward, Seconds layerForward, Seconds layerBackward)
    {
        if (plan.Dp <= 1) return default;
        var stack = o.Stack;
        double t = plan.Tp;
        double gradElems = largestParameters / t;
        var ring = Ring.Of(c, plan, stack);
        double gradBytesPerElem = stack.GradReduceBytes ?? ModelStateBytes.GradientReduceBytes(plan.Precision);
        double paramBytesPerElem = stack.ParamGatherBytes ?? 2;
        var gradBytes = new Bytes(gradElems * gradBytesPerElem);
        var paramBytes = new Bytes(gradElems * paramBytesPerElem);

        if (plan.Zero == ZeroStage.Parameters && stack.PrefetchLayers > 0 || plan.Zero == ZeroStage.Gradients && stack.Framework == Framework.Fsdp && stack.PrefetchLayers > 0)
            return LayerByLayer(m, plan, stack, ring, gradElems, largestLayers, gradBytesPerElem, paramBytesPerElem, layerForward, layerBackward);

        Seconds dp, zero3 = Seconds.Zero;
        if (plan.Zero == ZeroStage.None) dp = ring.AllReduce(gradBytes);
        else
        {
            // arXiv:1910.02054 §7: reduce-scatter the gradients, all-gather the updated parameters (same volume as an all-reduce);
            // DeepSpeed ZeRO-2/3 and FSDP reduce-scatter after every micro-batch's backward, Megatron after the last one
            int reductions = stack.ReduceEveryMicroBatch && plan.Zero >= ZeroStage.Gradients ? Math.Max(1, plan.MicroBatches) : 1;
            dp = reductions * ring.ReduceScatter(gradBytes) + ring.ReduceScatter(paramBytes);
            if (plan.Zero == ZeroStage.Parameters)
            {
                // ZeRO-3 gathers the parameters again for forward and backward of each micro-batch (3Ψ in all, Table 1 note),
                // one layer at a time (DeepSpeed stage3 fetches per submodule, FSDP per wrapped block): each gather pays the latency
                int gathers = Math.Max(1, largestLayers);
                zero3 = 2 * plan.MicroBatches * gathers * ring.ReduceScatter(paramBytes / gathers);
            }
        }
        if (!o.OverlapGradReduce) return new DataParallelCosts(dp, Seconds.Zero, zero3, null);

        // Megatron --overlap-grad-reduce: bucketed gradient reduction runs under the last micro-batch's backward;
        // with a sharded optimizer, --overlap-param-gather runs the parameter all-gather under the next step's first forward
        var overlappable = largestBackward * (stack.ReduceEveryMicroBatch && plan.Zero >= ZeroStage.Gradients ? Math.Max(1, plan.MicroBatches) : 1);
        if (plan.Zero >= ZeroStage.OptimizerStates) overlappable += largestForward;
        // Megatron DDP buckets (megatron/core/distributed/distributed_data_parallel.py: max(40M, 1M x dp) parameters,
        // whole parameters, filled in backward order): the bucket holding the input embedding is complete only when
        // the backward ends, so its reduction cannot overlap, and with the sharded optimizer its all-gather is the
        // first one the next forward waits on
        double bucket = Math.Min(gradElems, Math.Max(Math.Max(40e6, 1e6 * plan.Dp), ParameterCount.InputEmbedding(m) / t));
        var tail = plan.Zero == ZeroStage.None
            ? ring.AllReduce(new Bytes(bucket * gradBytesPerElem))
            : ring.ReduceScatter(new Bytes(bucket * gradBytesPerElem)) + ring.ReduceScatter(new Bytes(bucket * paramBytesPerElem));
        overlappable = Seconds.Min(overlappable, Seconds.Max(Seconds.Zero, dp - tail));
        return new DataParallelCosts(dp, overlappable, zero3, null);
    }

    /// <summary>
    /// ZeRO-3 / FSDP with prefetch (PyTorch FSDP notes: forward and backward prefetch issue the next unit's all-gather while
    /// the current one computes; arXiv:2304.11277 §3.3): each layer's gather hides behind the previous layer's compute and
    /// shows where it is longer; the first gather of each forward and the last reduce-scatter of the step have nothing to hide
    /// behind. FULL_SHARD (stage 3) gathers again for the backward and reduce-scatters each layer's gradients there;
    /// SHARD_GRAD_OP (FSDP stage 2) keeps the gathered layer from forward to backward.
    /// </summary>
    private static DataParallelCosts LayerByLayer(ModelSpec m, ParallelPlan plan, StackSpec stack, Ring ring, double gradElems, int layers,
        double gradBytesPerElem, double paramBytesPerElem, Seconds layerForward, Seconds layerBackward)
    {
        layers = Math.Max(1, layers);
        double layerElems = (double)ParameterCount.PerLayer(m) / plan.Tp;
        double restElems = Math.Max(0, gradElems - layers * layerElems);
        var gather = ring.AllGather(new Bytes(layerElems * paramBytesPerElem));
        var reduce = ring.ReduceScatter(new Bytes(layerElems * gradBytesPerElem));
        // the embedding, final norm and output layer: the root unit, gathered before the forward starts and reduced after the backward
        var restGather = ring.AllGather(new Bytes(restElems * paramBytesPerElem));
        var restReduce = ring.ReduceScatter(new Bytes(restElems * gradBytesPerElem));
        bool gathersInBackward = plan.Zero == ZeroStage.Parameters;
        int micro = Math.Max(1, plan.MicroBatches);

        var backwardComm = (gathersInBackward ? gather : Seconds.Zero) + reduce;
        var perMicro = layers * (gather + backwardComm) + restGather + restReduce;
        Seconds exposedPerMicro = stack.Overlap
            ? layers * (Seconds.Max(Seconds.Zero, gather - layerForward) + Seconds.Max(Seconds.Zero, backwardComm - layerBackward)) + gather + restGather
            : perMicro;
        var exposed = micro * exposedPerMicro + (stack.Overlap ? reduce + restReduce : Seconds.Zero);
        return new DataParallelCosts(Seconds.Zero, Seconds.Zero, micro * perMicro, exposed);
    }

    /// <summary>The data-parallel group's collectives on the stack's ring layout and NIC efficiency.</summary>
    private readonly record struct Ring(int PerNode, int Nodes, int Ranks, LinkSpec Intra, LinkSpec Inter, RingLayout Layout)
    {
        public static Ring Of(ClusterSpec c, ParallelPlan plan, StackSpec stack)
        {
            // DP ranks sit at stride tp·cp (Megatron order tp-cp-dp-pp): as many per node as the node holds after TP and CP
            int perNode = (int)Math.Clamp(c.GpusPerNode / ((long)plan.Tp * plan.Cp), 1, plan.Dp);
            int nodes = (plan.Dp + perNode - 1) / perNode;
            var inter = c.Node.InterNode with { Bandwidth = c.Node.InterNode.Bandwidth * stack.NicEfficiency };
            return new Ring(perNode, nodes, plan.Dp, c.Node.IntraNode, inter, stack.DataParallelRing);
        }

        public Seconds AllReduce(Bytes b) =>
            Nodes <= 1 ? Collectives.AllReduce(b, PerNode, Intra)
            : Layout == RingLayout.Flat ? Collectives.AllReduce(b, Ranks, Inter)
            : Collectives.HierarchicalAllReduce(b, PerNode, Nodes, Intra, Inter);

        public Seconds ReduceScatter(Bytes b) =>
            Nodes <= 1 ? Collectives.ReduceScatter(b, PerNode, Intra)
            : Layout == RingLayout.Flat ? Collectives.ReduceScatter(b, Ranks, Inter)
            : Collectives.HierarchicalReduceScatter(b, PerNode, Nodes, Intra, Inter);

        public Seconds AllGather(Bytes b) => ReduceScatter(b);
    }
}
