using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs.Terms;

/// <summary>Point-to-point transfers between pipeline stages, per micro-batch and direction.</summary>
public static class PipelineP2P
{
    /// <summary>
    /// Each micro-batch sends b·s·h activations forward and their gradient back (arXiv:2104.04473 §3.3), ÷t with sequence
    /// parallelism. Stages are the outermost rank dimension (Megatron order tp-cp-dp-pp), so a stage boundary crosses nodes once
    /// tp·cp·dp fills a node.
    /// </summary>
    public static (Seconds Transfer, bool InterNode) Of(ClusterSpec c, ParallelPlan plan, double tokens, double hidden, bool scatterGather = true)
    {
        long stageStride = (long)plan.Tp * plan.Cp * plan.Dp;
        bool inter = stageStride >= c.GpusPerNode;
        var link = inter ? c.Node.InterNode : c.Node.IntraNode;
        // arXiv:2104.04473 §4.1 scatter/gather: each TP rank sends its 1/t slice on its own link; without SP the
        // receiver all-gathers the slices over NVLink (with SP the activations are already split). Without scatter/gather
        // (DeepSpeed's pipeline engine) every TP rank sends the whole activation
        bool split = plan.SequenceParallel || scatterGather;
        var p2p = plan.Pp <= 1 ? Seconds.Zero
            : link.Transfer(new Bytes(tokens * hidden * 2 / (split ? plan.Tp : 1)))
              + (plan.SequenceParallel || !scatterGather ? Seconds.Zero : Collectives.AllGather(new Bytes(tokens * hidden * 2), plan.Tp, c.Node.IntraNode));
        return (p2p, inter);
    }
}
