using ParallelSim.Core.Parallelism;

namespace ParallelSim.Core.Costs;

/// <summary>Bytes per parameter held on a GPU for weights, gradients and optimizer states.</summary>
public readonly record struct BytesPerParameter(double Weights, double Gradients, double Optimizer)
{
    public double Total => Weights + Gradients + Optimizer;
}

/// <summary>Model-state bytes per parameter by precision policy and ZeRO stage.</summary>
public static class ModelStateBytes
{
    /// <summary>Unsharded bytes per parameter, by policy.</summary>
    public static BytesPerParameter Unsharded(PrecisionPolicy policy) => policy switch
    {
        // Megatron-LM theoretical_memory_usage.py: bf16 param 2 + fp32 main grad 4 + fp32 main param 4 + Adam m, v 8 = 18
        PrecisionPolicy.Megatron => new(2, 4, 12),
        // arXiv:1910.02054 §3: fp16 params 2 + fp16 grads 2 + K = 12 (fp32 params, momentum, variance) = 16
        PrecisionPolicy.Zero => new(2, 2, 12),
        // PyTorch autocast: fp32 params 4 + fp32 grads 4 + Adam m, v 8 = 16 (bf16 weight copies are counted as activations)
        PrecisionPolicy.TorchAmp => new(4, 4, 8),
        // pure bf16: params, grads, Adam m and v all 2 bytes
        PrecisionPolicy.Bf16 => new(2, 2, 4),
        _ => throw new ArgumentOutOfRangeException(nameof(policy)),
    };

    /// <summary>
    /// Per-GPU bytes per parameter after ZeRO sharding over dp ranks (arXiv:1910.02054 Table 1):
    /// stage 1 shards optimizer states, 2 also gradients, 3 also weights. For the Megatron policy,
    /// stage 1 is the distributed optimizer: 6 + 12/dp.
    /// </summary>
    public static BytesPerParameter Sharded(PrecisionPolicy policy, ZeroStage zero, int dp)
    {
        var u = Unsharded(policy);
        double d = Math.Max(1, dp);
        return new(
            zero >= ZeroStage.Parameters ? u.Weights / d : u.Weights,
            zero >= ZeroStage.Gradients ? u.Gradients / d : u.Gradients,
            zero >= ZeroStage.OptimizerStates ? u.Optimizer / d : u.Optimizer);
    }

    /// <summary>Bytes moved per parameter by one optimizer step (all its memory-bound passes).</summary>
    public static double OptimizerStepBytes(PrecisionPolicy policy) => policy switch
    {
        // Megatron-LM optimizer.step (mixed precision): found-inf check and grad-norm read the fp32 main grads (4 + 4),
        // clipping scales them (read 4, write 4), Adam reads the grad (4) and reads and writes the main param and m, v
        // (2 x 12), the main params are copied to the bf16 model params (read 4, write 2). Zeroing the grad buffer is
        // not sharded by the distributed optimizer: CostModel charges it on every parameter held
        PrecisionPolicy.Megatron => 4 + 4 + 8 + 4 + 24 + 6,
        // ZeRO (DeepSpeed fp16): the same passes over fp16 grads (2 bytes) with 12 bytes of fp32 states
        PrecisionPolicy.Zero => 2 + 2 + 4 + 2 + 24 + 6 + 2,
        // fused AdamW on fp32 params (torch-amp, bf16 autocast needs no loss scaling): read grad 4, read and write
        // param and m, v (2 x 12), then zero_grad keeps the grads allocated and writes them (4)
        PrecisionPolicy.TorchAmp => 4 + 24 + 4,
        // pure bf16: read grad 2, read and write param and m, v (2 x 6), zero the grads (2)
        PrecisionPolicy.Bf16 => 2 + 12 + 2,
        _ => throw new ArgumentOutOfRangeException(nameof(policy)),
    };

    /// <summary>Bytes per element of the gradient as it is reduced across data-parallel ranks.</summary>
    public static double GradientReduceBytes(PrecisionPolicy policy) => policy switch
    {
        // Megatron accumulates and all-reduces main grads in fp32 for bf16 runs
        PrecisionPolicy.Megatron or PrecisionPolicy.TorchAmp => 4,
        _ => 2,
    };
}
