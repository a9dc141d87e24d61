using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs;

/// <summary>One measured training step to calibrate the host (CPU) terms against.</summary>
public sealed record HostCalibrationRow(string Name, ModelSpec Model, ClusterSpec Cluster, ParallelPlan Plan, CostOptions Options, Seconds Measured);

/// <summary>The fitted host terms, and the step-time errors before (the options as given) and after.</summary>
public sealed record HostCalibrationResult(
    Seconds DispatchPerKernel, Seconds CheckpointPerLayer, double MapePct, double MapeBeforePct,
    IReadOnlyList<double> RelativeErrors, IReadOnlyList<double> RelativeErrorsBefore);

/// <summary>
/// Fits the two host terms of <see cref="CostOptions"/> to measured step times: the time eager PyTorch spends launching one
/// kernel (<see cref="CostOptions.HostDispatchPerKernel"/>) and the extra host time of one checkpointed layer under full
/// recomputation (<see cref="CostOptions.CheckpointHostPerLayer"/>: torch.utils.checkpoint's saved-tensor hooks, RNG state
/// stash and the re-run forward's Python). Both only bind where kernels are too small to hide them, so only host-bound rows
/// inform them; the device terms (GEMM and attention efficiency, bandwidth) stay as fitted from kernel measurements.
/// </summary>
public static class HostCalibration
{
    /// <summary>
    /// Least squares on the log of predicted over measured step time (so every row weighs the same whatever its length),
    /// by a coarse grid then a fine one around the coarse minimum: dispatch 1-100 us, checkpoint 0-5000 us per layer.
    /// </summary>
    public static HostCalibrationResult Fit(IReadOnlyList<HostCalibrationRow> rows)
    {
        if (rows.Count < 2) throw new ArgumentException($"at least two measured steps are needed (got {rows.Count})");
        double Loss(double dispatchUs, double checkpointUs)
        {
            double sum = 0;
            foreach (var e in Errors(rows, dispatchUs, checkpointUs)) sum += Math.Log(1 + e) * Math.Log(1 + e);
            return sum;
        }
        var (d, c) = Best(Loss, Grid(1, 100, 5), Grid(0, 5000, 100));
        (d, c) = Best(Loss, Grid(Math.Max(1, d - 5), d + 5, 0.5), Grid(Math.Max(0, c - 100), c + 100, 5));
        var after = Errors(rows, d, c);
        var before = rows.Select(r => Predict(r, r.Options) / r.Measured.Value - 1).ToArray();
        return new HostCalibrationResult(Seconds.FromMicroseconds(d), Seconds.FromMicroseconds(c),
            100 * after.Average(Math.Abs), 100 * before.Average(Math.Abs), after, before);
    }

    private static double[] Errors(IReadOnlyList<HostCalibrationRow> rows, double dispatchUs, double checkpointUs) =>
        rows.Select(r => Predict(r, r.Options with
        {
            HostDispatchPerKernel = Seconds.FromMicroseconds(dispatchUs),
            CheckpointHostPerLayer = Seconds.FromMicroseconds(checkpointUs),
        }) / r.Measured.Value - 1).ToArray();

    private static double Predict(HostCalibrationRow r, CostOptions o) => Evaluator.Evaluate(r.Model, r.Cluster, r.Plan, o).Time.Step.Value;

    private static IEnumerable<double> Grid(double from, double to, double step)
    {
        for (int i = 0; from + i * step <= to + 1e-9; i++) yield return from + i * step;
    }

    private static (double, double) Best(Func<double, double, double> loss, IEnumerable<double> xs, IEnumerable<double> ys)
    {
        var yList = ys.ToArray();
        double bestLoss = double.PositiveInfinity, bx = 0, by = 0;
        foreach (double x in xs)
            foreach (double y in yList)
            {
                double l = loss(x, y);
                if (l < bestLoss) { bestLoss = l; bx = x; by = y; }
            }
        return (bx, by);
    }
}
