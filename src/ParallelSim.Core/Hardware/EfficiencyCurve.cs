namespace ParallelSim.Core.Hardware;

/// <summary>
/// The fraction of peak FLOP/s that a bf16 GEMM of a given size reaches: a saturating curve
/// eff(F) = Max · F / (F + HalfFlops), where F is the GEMM's FLOP count (2·m·n·k). Small GEMMs
/// are latency- and wave-bound; large ones approach <see cref="Max"/>. The two parameters are
/// data on the GPU spec, fitted from measurements (see `parallelsim calibrate gemm`).
/// </summary>
public sealed record EfficiencyCurve(double Max, double HalfFlops, Source Source)
{
    public double At(double flops) => flops <= 0 ? Max : Max * flops / (flops + HalfFlops);
}
