using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using ParallelSim.Core.Hardware;

namespace ParallelSim.Core.Costs;

/// <summary>One measured kernel: its FLOPs, the bytes it must move, and the time it took.</summary>
public readonly record struct KernelMeasurement(string Label, double Flops, double Bytes, double Seconds);

/// <summary>A fitted efficiency curve with its per-row relative errors.</summary>
public sealed record EfficiencyFitResult(EfficiencyCurve Curve, IReadOnlyList<double> RelativeErrors)
{
    public double MapePct => RelativeErrors.Count == 0 ? 0 : RelativeErrors.Average(Math.Abs) * 100;
    public double MaxAbsPct => RelativeErrors.Count == 0 ? 0 : RelativeErrors.Max(Math.Abs) * 100;
}

/// <summary>
/// Fits <see cref="EfficiencyCurve"/> (Max, HalfFlops) to measured kernels so that the roofline
/// (<see cref="Roofline"/>: max(F / (peak·eff(F)), bytes / bandwidth) + launch overhead) reproduces their times,
/// minimising the squared relative error with MathNet's Nelder-Mead simplex.
/// </summary>
public static class EfficiencyFit
{
    public static EfficiencyFitResult Fit(IReadOnlyList<KernelMeasurement> rows, GpuSpec gpu, string source)
    {
        if (rows.Count < 2) throw new ArgumentException("at least two measurements are needed to fit an efficiency curve");
        double peak = gpu.PeakBf16.Value, bw = gpu.AchievableHbmBandwidth.Value, overhead = gpu.KernelOverhead.Value;

        // parameters in log space keep them positive: x0 = ln(Max), x1 = ln(HalfFlops)
        double Predict(double max, double half, KernelMeasurement r) =>
            Math.Max(r.Flops / (peak * max * r.Flops / (r.Flops + half)), r.Bytes / bw) + overhead;
        double Loss(Vector<double> x)
        {
            double max = Math.Exp(x[0]), half = Math.Exp(x[1]), sum = 0;
            if (max > 1) return double.MaxValue;
            foreach (var r in rows) { double e = (Predict(max, half, r) - r.Seconds) / r.Seconds; sum += e * e; }
            return sum;
        }
        var start = Vector<double>.Build.Dense([Math.Log(0.7), Math.Log(1e10)]);
        var result = NelderMeadSimplex.Minimum(ObjectiveFunction.Value(Loss), start, 1e-12, 20000);
        double maxFit = Math.Exp(result.MinimizingPoint[0]), halfFit = Math.Exp(result.MinimizingPoint[1]);
        var errors = rows.Select(r => (Predict(maxFit, halfFit, r) - r.Seconds) / r.Seconds).ToArray();
        return new EfficiencyFitResult(new EfficiencyCurve(maxFit, halfFit, new Hardware.Source(source)), errors);
    }
}
