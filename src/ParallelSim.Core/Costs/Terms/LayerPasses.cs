using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs.Terms;

/// <summary>One transformer layer's forward, input-gradient and weight-gradient passes per micro-batch, communication included.</summary>
public readonly record struct LayerPasses(Seconds Forward, Seconds BackwardInput, Seconds BackwardWeight, Seconds TpExposedForward, Seconds CpExposedForward)
{
    /// <summary>The layer's forward with its exposed context-parallel exchange: the window a prefetched ZeRO-3 gather hides in.</summary>
    public Seconds ForwardWithCp => Forward + CpExposedForward;

    public static LayerPasses Of(LayerTimes lt, ParallelPlan plan, CostOptions o)
    {
        // layer: backward GEMMs = dgrad + wgrad, each the forward's FLOPs (arXiv:2104.04473 App.)
        // TP communication is exposed unless overlapped with the GEMMs (Megatron --tp-comm-overlap pipelines the
        // all-gather / reduce-scatter with chunks of the GEMM that consumes or produces it; what exceeds the GEMM shows)
        var tpExposedFwd = o.TpCommOverlap ? Seconds.Max(Seconds.Zero, lt.TpCommForward - lt.GemmsForward) : lt.TpCommForward;
        var layerFwd = lt.ComputeForward + tpExposedFwd;
        // arXiv:2205.05198: full recomputation runs the layer's forward again in backward, selective only the attention core
        var recompute = plan.Recompute switch
        {
            RecomputeMode.Full => layerFwd,
            RecomputeMode.Selective => lt.CoreForward,
            _ => Seconds.Zero,
        };
        // ring attention (context parallel): a third of the K/V exchange overlaps the forward core, two thirds the backward core
        var cpExposedFwd = Seconds.Max(Seconds.Zero, lt.CpComm / 3 - lt.CoreForward);
        var cpExposedBwd = Seconds.Max(Seconds.Zero, lt.CpComm * (2.0 / 3) - lt.CoreBackward);
        var bwdInput = lt.GemmsForward + lt.CoreBackward + 2 * lt.ElementwiseForward + tpExposedFwd + recompute + cpExposedBwd;
        return new LayerPasses(layerFwd, bwdInput, lt.GemmsForward, tpExposedFwd, cpExposedFwd);
    }
}
