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

    /// <summary>Bytes per element of the gradient as it is reduced across data-parallel ranks.</summary>
    public static double GradientReduceBytes(PrecisionPolicy policy) => policy switch
    {
        // Megatron accumulates and all-reduces main grads in fp32 for bf16 runs
        PrecisionPolicy.Megatron or PrecisionPolicy.TorchAmp => 4,
        _ => 2,
    };
}
