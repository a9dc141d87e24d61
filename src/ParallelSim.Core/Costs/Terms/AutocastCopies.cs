using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;

namespace ParallelSim.Core.Costs.Terms;

/// <summary>The bf16 weight copies eager PyTorch's autocast keeps for backward (torch-amp precision only).</summary>
public static class AutocastCopies
{
    /// <summary>Bytes per micro-batch in flight on a stage with this many layers (and the output layer when it runs the loss).</summary>
    public static double Bytes(ModelSpec m, ParallelPlan plan, int layers, bool holdsOutputLayer)
    {
        if (plan.Precision != PrecisionPolicy.TorchAmp) return 0;
        // autocast keeps the bf16 copies of the weights it cast alive for backward; each forward casts afresh
        // (the cast cache is cleared on leaving autocast), so every micro-batch in flight holds its own copies. It casts
        // the linear layers' weights only (PyTorch autocast op lists: linear/matmul to bf16; embedding, layer_norm stay
        // fp32): every layer's attention and MLP matrices, and the output layer (the tied embedding when tied)
        // The copies of every layer stay alive through the forward even under full recomputation (the H200 full-recompute
        // peaks hold them: autocast caches the casts of leaf parameters until it exits). ZeRO-3 / FSDP's gathered parameters
        // are views of a flat buffer, not leaves, so nothing caches them: under full recomputation a checkpointed layer then
        // holds its copies only while it is recomputed and back-propagated, one layer at a time
        int holding = plan.Recompute == RecomputeMode.Full && plan.Zero == ZeroStage.Parameters ? Math.Min(1, layers) : layers;
        return 2.0 * (holding * (ParameterCount.Attention(m) + ParameterCount.Mlp(m)) + (holdsOutputLayer ? (double)m.Vocab * m.Hidden : 0)) / plan.Tp;
    }
}
