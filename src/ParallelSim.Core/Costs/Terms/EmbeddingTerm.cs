using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs.Terms;

/// <summary>The input embedding on the first stage: its lookup, its dense gradient and what it holds.</summary>
public static class EmbeddingTerm
{
    public static StageTerm Of(GpuSpec gpu, ModelSpec m, ParallelPlan plan, CostOptions o, double tokens)
    {
        double t = plan.Tp, h = m.Hidden;
        // embedding lookup (vocab-parallel, arXiv:1909.08053 §3): gather and write b·s·h; backward scatters gradients
        var fwd = Roofline.MemoryBound(gpu, 2 * 2 * tokens * h);
        var bi = Roofline.MemoryBound(gpu, 3 * 2 * tokens * h);
        // the lookup's gradient is a dense (V/t)·h table, zero-filled then scattered into (PyTorch
        // embedding_dense_backward, aten/src/ATen/native/cuda/Embedding.cu), then added to the accumulated gradient
        // (Megatron megatron/core/distributed/distributed_data_parallel.py param hook: main_grad.add_(grad))
        var grad = Roofline.MemoryBound(gpu, (double)m.Vocab / t * h * GradBytes(plan.Precision));
        // arXiv:2205.05198 §4.3: the embedding output (dropout mask when on) held on the first stage
        double acts = (o.Dropout ? 1 : 0) * tokens * h / (plan.SequenceParallel ? t : 1);
        return new StageTerm(fwd, bi + grad, Seconds.Zero, ParameterCount.InputEmbedding(m), acts, 0);
    }

    /// <summary>
    /// Bytes per element of the embedding's dense gradient per micro-batch: zero-fill, then read it and read and write
    /// the accumulated gradient (torch-amp: fp32 weight and .grad; megatron: bf16 grad into the fp32 main grad).
    /// </summary>
    public static double GradBytes(PrecisionPolicy policy) => policy switch
    {
        PrecisionPolicy.TorchAmp => 4 + 4 + 4 + 4,
        PrecisionPolicy.Megatron => 2 + 2 + 4 + 4,
        _ => 2 + 2 + 2 + 2,
    };
}
