using ParallelSim.Readers;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Core.Units;
using ParallelSim.Core.Validation;

namespace ParallelSim.Tests.Core;

public class HostCalibrationTests
{
    private static HostCalibrationRow[] H200Rows() =>
        ReferenceReader.Embedded(Catalog.Default).Single(s => s.Name == "h200-train-iteration").Cases
            .Select(c => new HostCalibrationRow(c.Name, c.Inputs.Model!, c.Inputs.Cluster!, c.Inputs.Plan, c.Inputs.Options, new Seconds(c.Expected)))
            .ToArray();

    [Fact]
    public void The_default_host_terms_are_what_the_fit_finds_on_the_shipped_H200_runs()
    {
        // the defaults are not hand-set: re-running `calibrate host configs/calibration/h200/train.jsonl` gives them back
        var fit = HostCalibration.Fit(H200Rows());
        Assert.Equal(CostOptions.DefaultHostDispatchMicroseconds, fit.DispatchPerKernel.Value * 1e6, 6);
        Assert.Equal(CostOptions.DefaultCheckpointHostMicroseconds, fit.CheckpointPerLayer.Value * 1e6, 6);
        Assert.True(fit.MapePct <= fit.MapeBeforePct + 1e-9);
    }

    [Fact]
    public void The_fit_recovers_host_terms_that_generated_the_steps()
    {
        // steps made by the model itself with known terms (20 us, 500 us) must give those terms back
        var truth = CostOptions.Default with { HostDispatchPerKernel = Seconds.FromMicroseconds(20), CheckpointHostPerLayer = Seconds.FromMicroseconds(500) };
        var rows = H200Rows().Select(r => r with
        {
            Measured = Evaluator.Evaluate(r.Model, r.Cluster, r.Plan, r.Options with
            {
                HostDispatchPerKernel = truth.HostDispatchPerKernel, CheckpointHostPerLayer = truth.CheckpointHostPerLayer,
            }).Time.Step,
        }).ToArray();
        var fit = HostCalibration.Fit(rows);
        Assert.Equal(20, fit.DispatchPerKernel.Value * 1e6, 6);
        Assert.Equal(500, fit.CheckpointPerLayer.Value * 1e6, 6);
        Assert.True(fit.MapePct < 1e-9, $"MAPE {fit.MapePct}");
    }

    [Fact]
    public void Checkpoint_overhead_only_adds_to_full_recomputation_and_only_where_the_host_binds()
    {
        var rows = H200Rows();
        var none = rows.First(r => r.Plan.Recompute == RecomputeMode.None);
        double Step(HostCalibrationRow r, double us) =>
            Evaluator.Evaluate(r.Model, r.Cluster, r.Plan, r.Options with { CheckpointHostPerLayer = Seconds.FromMicroseconds(us) }).Time.Step.Value;
        Assert.Equal(Step(none, 0), Step(none, 5000), 12);
        var fullSmall = rows.First(r => r.Plan.Recompute == RecomputeMode.Full && r.Plan.MicroBatch == 1);
        Assert.True(Step(fullSmall, 2000) > Step(fullSmall, 0));
    }
}
