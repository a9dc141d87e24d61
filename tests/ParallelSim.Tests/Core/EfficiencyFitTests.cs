using ParallelSim.Readers;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;

namespace ParallelSim.Tests.Core;

public class EfficiencyFitTests
{
    [Fact]
    public void Fit_recovers_the_curve_that_generated_the_times()
    {
        var gpu = Catalog.Default.Gpu("H200-SXM-141GB");
        var truth = new EfficiencyCurve(0.8, 20e9, new Source("synthetic"));
        var rows = new List<KernelMeasurement>();
        foreach (double m in new[] { 1024.0, 4096, 16384 })
            foreach (double n in new[] { 1024.0, 4096, 12288 })
            {
                double f = 2 * m * n * 4096, bytes = 2 * (m * 4096 + 4096 * n + m * n);
                double t = Math.Max(f / (gpu.PeakBf16.Value * truth.At(f)), bytes / gpu.AchievableHbmBandwidth.Value) + gpu.KernelOverhead.Value;
                rows.Add(new KernelMeasurement($"{m}x{n}", f, bytes, t));
            }
        var fit = EfficiencyFit.Fit(rows, gpu, "test");
        Assert.Equal(0.8, fit.Curve.Max, 3);
        Assert.Equal(20e9, fit.Curve.HalfFlops, 20e9 * 0.01);
        Assert.True(fit.MapePct < 0.1);
    }

    [Fact]
    public void Shipped_h200_curve_is_the_fit_of_the_shipped_measurements()
    {
        var gpu = Catalog.Default.Gpu("H200-SXM-141GB");
        var (path, text) = Catalog.EmbeddedFiles("calibration/h200").Single(f => f.Path.EndsWith("gemm.jsonl", StringComparison.Ordinal));
        var rows = MeasurementReader.Gemms(text, path);
        var fit = EfficiencyFit.Fit(rows, gpu, "test");
        Assert.Equal(228, rows.Count);
        Assert.Equal(gpu.GemmEfficiency.Max, fit.Curve.Max, 3);
        Assert.Equal(gpu.GemmEfficiency.HalfFlops, fit.Curve.HalfFlops, gpu.GemmEfficiency.HalfFlops * 0.01);
        Assert.True(fit.MapePct < 8, $"MAPE {fit.MapePct:F2}%");
    }

    [Fact]
    public void H200_memory_efficiency_is_the_measured_copy_rate_and_memory_bound_kernels_use_it()
    {
        var gpu = Catalog.Default.Gpu("H200-SXM-141GB");
        var (_, info) = Catalog.EmbeddedFiles("calibration/h200").Single(f => f.Path.EndsWith("info.jsonl", StringComparison.Ordinal));
        double copy = System.Text.Json.JsonDocument.Parse(info.Trim()).RootElement.GetProperty("copy_bytes_per_s").GetDouble();
        Assert.Equal(copy / gpu.HbmBandwidth.Value, gpu.HbmEfficiency, 3);
        double bytes = 1e9;
        Assert.Equal(bytes / copy + gpu.KernelOverhead.Value, Roofline.MemoryBound(gpu, bytes).Value, 6);
    }
}
