using ParallelSim.Core.Hardware;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs;

/// <summary>
/// One kernel's time: the larger of its FLOPs at the efficiency its size reaches and its bytes at HBM
/// bandwidth (the achievable rate, not the datasheet's), plus a fixed launch overhead (the roofline model,
/// Williams et al. 2009).
/// </summary>
public static class Roofline
{
    public static Seconds Gemm(GpuSpec gpu, double flops, double bytes)
    {
        if (flops <= 0 && bytes <= 0) return Seconds.Zero;
        double compute = flops / (gpu.PeakBf16.Value * gpu.GemmEfficiency.At(flops));
        double memory = bytes / gpu.AchievableHbmBandwidth.Value;
        return new Seconds(Math.Max(compute, memory)) + gpu.KernelOverhead;
    }

    /// <summary>
    /// A fused attention kernel (flash attention): as a GEMM, at the GPU's attention-kernel efficiency curve, read at the FLOPs of
    /// one (sequence x head) when the curve is a published kernel benchmark's (<see cref="GpuSpec.AttentionPerSequenceHead"/>).
    /// </summary>
    public static Seconds Attention(GpuSpec gpu, double flops, double bytes, bool backward = false, double sequenceHeads = 1)
    {
        if (flops <= 0 && bytes <= 0) return Seconds.Zero;
        var curve = (backward ? gpu.AttentionBackwardEfficiency : null) ?? gpu.AttentionEfficiency ?? gpu.GemmEfficiency;
        double x = gpu.AttentionPerSequenceHead ? flops / Math.Max(1, sequenceHeads) : flops;
        double compute = flops / (gpu.PeakBf16.Value * curve.At(x));
        double memory = bytes / gpu.AchievableHbmBandwidth.Value;
        return new Seconds(Math.Max(compute, memory)) + gpu.KernelOverhead;
    }

    /// <summary>A memory-bound kernel (norm, activation, residual add, optimizer step).</summary>
    public static Seconds MemoryBound(GpuSpec gpu, double bytes) =>
        bytes <= 0 ? Seconds.Zero : new Seconds(bytes / gpu.AchievableHbmBandwidth.Value) + gpu.KernelOverhead;

    /// <summary>GEMM [m×k]·[k×n] in bf16: 2mnk FLOPs, reading both inputs and writing the output.</summary>
    public static Seconds MatMul(GpuSpec gpu, double m, double k, double n) =>
        Gemm(gpu, 2 * m * n * k, 2 * (m * k + k * n + m * n));
}
