using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs;

/// <summary>Times of one transformer layer for one micro-batch on one GPU, by part.</summary>
public readonly record struct LayerTimes(Seconds GemmsForward, Seconds CoreForward, Seconds CoreBackward, Seconds ElementwiseForward, Seconds TpCommForward, Seconds CpComm, int KernelsForward)
{
    /// <summary>Forward compute (no communication).</summary>
    public Seconds ComputeForward => GemmsForward + CoreForward + ElementwiseForward;
}

/// <summary>Per-layer compute and communication time (roofline per op, alpha-beta per collective).</summary>
public static class LayerTime
{
    public static LayerTimes Of(ModelSpec m, ClusterSpec c, ParallelPlan plan, bool dropout) => Of(m, c, c.Gpu, plan, dropout);

    /// <summary>As below, with eager elementwise kernels when the precision is torch-amp (eager PyTorch under autocast).</summary>
    public static LayerTimes Of(ModelSpec m, ClusterSpec c, GpuSpec gpu, ParallelPlan plan, bool dropout) =>
        Of(m, c, gpu, plan, dropout, eager: plan.Precision == PrecisionPolicy.TorchAmp);

    /// <summary>As above, with the GPU as the stack's kernels see it (<see cref="Stack.StackSpec.On"/>).</summary>
    /// <param name="eager">every elementwise op is its own kernel (eager PyTorch without torch.compile), else fused (Megatron, compiled)</param>
    public static LayerTimes Of(ModelSpec m, ClusterSpec c, GpuSpec gpu, ParallelPlan plan, bool dropout, bool eager)
    {
        double t = plan.Tp, cp = plan.Cp, b = plan.MicroBatch;
        double s = m.SeqLength, h = m.Hidden, f = m.FfnHidden, kv = m.KvWidth;
        double tokens = b * s / cp;

        // GEMMs, each sharded over TP (Megatron column/row parallel layers, arXiv:1909.08053 §3)
        var gemms = Roofline.MatMul(gpu, tokens, h, (h + 2 * kv) / t)
                  + Roofline.MatMul(gpu, tokens, h / t, h)
                  + Roofline.MatMul(gpu, tokens, h, (m.Arch == Architecture.Llama ? 2 : 1) * f / t)
                  + Roofline.MatMul(gpu, tokens, f / t, h);

        // attention core: queries of this CP rank against all keys; a causal kernel does half the full product
        double coreFlopsFull = 4 * b * (s / cp) * s * h / t;
        Seconds coreFwd, coreBwd;
        if (plan.FlashAttention)
        {
            // fused kernel: reads Q, K, V and writes O (2 bytes each); FLOPs at the attention kernel's own efficiency
            double sequenceHeads = b * Math.Max(1.0, m.Heads / t);
            coreFwd = Roofline.Attention(gpu, coreFlopsFull / 2, 2 * 4 * tokens * h / t, sequenceHeads: sequenceHeads);
            // FlashAttention-2 backward recomputes the scores: 2.5x the forward matmul work (Dao 2023, §3.1)
            coreBwd = Roofline.Attention(gpu, 2.5 * coreFlopsFull / 2, 2 * 8 * tokens * h / t, backward: true, sequenceHeads: sequenceHeads);
        }
        else
        {
            // unfused (Megatron 2022): QK^T writes the s x s scores, a fused scale-mask-softmax reads and writes them,
            // dropout reads them and writes them and a 1-byte mask, attention x V reads them (2 bytes per score)
            double scores = b * (m.Heads / t) * (s / cp) * s;
            double qkv = 2 * tokens * h / t;
            coreFwd = Roofline.Gemm(gpu, coreFlopsFull / 2, 2 * qkv + 2 * scores)
                    + Roofline.MemoryBound(gpu, 4 * scores)
                    + (dropout ? Roofline.MemoryBound(gpu, 5 * scores) : Seconds.Zero)
                    + Roofline.Gemm(gpu, coreFlopsFull / 2, 2 * scores + 2 * qkv);
            // backward: attention x V dgrad writes and wgrad reads the scores' gradient and probabilities, dropout
            // backward (grad, mask in; grad out), softmax backward (grad and output in; grad out), QK^T dgrad and wgrad read it twice
            coreBwd = Roofline.Gemm(gpu, coreFlopsFull / 2, 2 * scores + 2 * qkv) + Roofline.Gemm(gpu, coreFlopsFull / 2, 2 * scores + 2 * qkv)
                    + (dropout ? Roofline.MemoryBound(gpu, 5 * scores) : Seconds.Zero)
                    + Roofline.MemoryBound(gpu, 6 * scores)
                    + Roofline.Gemm(gpu, coreFlopsFull / 2, 2 * scores + 2 * qkv) + Roofline.Gemm(gpu, coreFlopsFull / 2, 2 * scores + 2 * qkv);
        }

        // norms, residual adds and the MLP activation, each its own memory-bound kernel, replicated across TP unless SP.
        // bf16 policies: norm reads and writes 2 bytes, residual add reads 2 + 2 and writes 2. Under torch autocast the
        // residual stream stays fp32 (embedding and adds in the parameters' fp32) and layer_norm runs in fp32
        // (PyTorch autocast op lists), so each norm reads and writes 4 bytes, its output is cast to bf16 for the GEMM
        // (read 4, write 2), and each add reads 4 + 2 and writes 4.
        double replicated = (plan.SequenceParallel ? tokens / t : tokens) * h;
        // torch-amp is eager PyTorch under autocast: every elementwise op is its own kernel; the megatron and zero policies run fused ones
        bool amp = plan.Precision == PrecisionPolicy.TorchAmp;
        bool llama = m.Arch == Architecture.Llama;
        double normBytes = amp ? 4 + 4 + 4 + 2 : 2 + 2;
        double addBytes = amp ? 4 + 2 + 4 : 2 + 2 + 2;
        var elementwiseFwd = 2 * Roofline.MemoryBound(gpu, replicated * normBytes) + 2 * Roofline.MemoryBound(gpu, replicated * addBytes)
            // activation: GELU reads and writes the f-wide output (4 bytes per element); Megatron's fused SwiGLU reads gate and
            // up and writes the product (6); eager PyTorch (torch-amp) runs silu (read 2, write 2) then the product (read 4, write 2)
            + Roofline.MemoryBound(gpu, tokens * (f / t) * (!llama ? 4 : eager ? 10 : 6))
            // Megatron's fused bias-dropout-add writes a 1-byte mask per element, twice per layer
            + (dropout ? 2 * Roofline.MemoryBound(gpu, replicated) : Seconds.Zero);
        if (llama)
            // RoPE on this rank's Q and K (arXiv:2104.09864): a fused kernel (Megatron's default rope fusion) reads and writes each
            // element once (2 + 2 bytes); eager PyTorch's q·cos + rotate_half(q)·sin is a multiply (2 + 2), rotate_half's negated
            // half and concatenation (1 + 1, 2 + 2), a multiply (2 + 2) and the add (4 + 2): 20 bytes per element
            elementwiseFwd += Roofline.MemoryBound(gpu, tokens * (h + kv) / t * (eager ? 20 : 4));
        if (amp)
            // autocast casts every fp32 weight to bf16 on each forward (read 4, write 2 bytes per parameter; 4 weight casts)
            elementwiseFwd += 4 * Roofline.MemoryBound(gpu, 6.0 * (ParameterCount.Attention(m) + ParameterCount.Mlp(m)) / t / 4);

        // TP: two all-reduces of the b·s·h activations per layer forward (arXiv:2104.04473 §3.3); with SP a
        // reduce-scatter + all-gather pair of the same volume (arXiv:2205.05198 §4.2.2)
        var tpLink = plan.Tp <= c.GpusPerNode ? c.Node.IntraNode : c.Node.InterNode;
        var activation = new Bytes(tokens * h * 2);
        var tpFwd = plan.Tp <= 1 ? Seconds.Zero
            : plan.SequenceParallel ? 2 * (Collectives.ReduceScatter(activation, plan.Tp, tpLink) + Collectives.AllGather(activation, plan.Tp, tpLink))
            : 2 * Collectives.AllReduce(activation, plan.Tp, tpLink);

        // CP: ring exchange of this rank's K and V chunk with the cp-1 others (forward), K, V and their grads (backward)
        var cpLink = (long)plan.Tp * plan.Cp <= c.GpusPerNode ? c.Node.IntraNode : c.Node.InterNode;
        var kvChunk = new Bytes(2 * tokens * kv / t * 2);
        var cpComm = plan.Cp <= 1 ? Seconds.Zero : (plan.Cp - 1) * 3 * cpLink.Transfer(kvChunk);

        // kernels launched per layer forward: 4 GEMMs, attention (1 fused, 4-5 unfused), 2 norms, 2 adds, the activation
        // (eager SwiGLU: silu and the product), RoPE (fused: 1; eager: 5 each on Q and K), dropout-adds, autocast's 4 weight
        // casts and 2 input casts, the TP collectives
        int kernels = 4 + (plan.FlashAttention ? 1 : dropout ? 4 : 3) + 5 + (llama && eager ? 1 : 0) + (llama ? (eager ? 10 : 1) : 0)
            + (dropout ? 2 : 0) + (amp ? 6 : 0)
            + (plan.Tp > 1 ? (plan.SequenceParallel ? 4 : 2) : 0);
        return new LayerTimes(gemms, coreFwd, coreBwd, elementwiseFwd, tpFwd, cpComm, kernels);
    }
}
