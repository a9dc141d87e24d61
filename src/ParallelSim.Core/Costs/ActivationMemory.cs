using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;

namespace ParallelSim.Core.Costs;

/// <summary>
/// Activation bytes stored per transformer layer for one micro-batch, from arXiv:2205.05198 §4
/// (eq. 1-6), term by term so that architecture, GQA, dropout and flash attention change the right terms.
/// With every term as in the paper (GPT, dropout on, no flash attention) it gives sbh(34 + 5as/h).
/// </summary>
public static class ActivationMemory
{
    /// <summary>Stored bytes per layer per micro-batch on one GPU.</summary>
    public static double PerLayer(ModelSpec m, ParallelPlan plan, bool dropout)
    {
        double s = (double)m.SeqLength / plan.Cp, b = plan.MicroBatch, h = m.Hidden, a = m.Heads, t = plan.Tp;
        double f = m.FfnHidden, kv = m.KvWidth;
        double sb = s * b;

        // full recompute keeps only the layer input (arXiv:2205.05198 §4.3: 2sbh, ÷t with SP)
        if (plan.Recompute == RecomputeMode.Full)
            return 2 * sb * h / (plan.SequenceParallel ? t : 1);

        // arXiv:2205.05198 eq. 2: these are replicated across TP ranks unless SP splits them (4sbh norms, 2sbh+2sbh GEMM inputs, 2 masks).
        // Under torch autocast the residual stream is fp32, so the two norm inputs are 4 bytes each (8sbh; PyTorch autocast runs layer_norm in fp32)
        double normInputs = (plan.Precision == PrecisionPolicy.TorchAmp ? 8 : 4) * sb * h;
        double replicated = normInputs + 2 * sb * h + 2 * sb * h + (dropout ? 2 * sb * h : 0);
        // split across TP ranks: Q, K, V (2sbh each for MHA; K, V shrink with GQA), attention output 2sbh, MLP inner activations
        // GELU: its input and output (the second GEMM's input). SwiGLU fused (Megatron): gate, up and the product; eager PyTorch
        // (torch-amp) also keeps silu(gate), which the product's backward needs: silu saves gate, the product saves silu(gate) and up
        double mlpInner = m.Arch != Architecture.Llama ? 2 * 2 * sb * f
            : (plan.Precision == PrecisionPolicy.TorchAmp ? 4 : 3) * 2 * sb * f;
        double split = 2 * sb * h + 2 * 2 * sb * kv + 2 * sb * h + mlpInner;
        // attention core: softmax output 2as²b, dropout mask as²b, dropout output 2as²b (eq. 1); none with flash attention
        // or selective recompute; flash attention keeps its fp32 log-sum-exp per head and token
        double core = plan.Recompute == RecomputeMode.Selective ? 0
            : plan.FlashAttention ? 4 * a * sb
            : (dropout ? 5 : 2) * a * s * sb;
        double perRank = (replicated / (plan.SequenceParallel ? t : 1)) + (split + core) / t;
        return perRank;
    }
}
