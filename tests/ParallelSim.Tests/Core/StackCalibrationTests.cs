using ParallelSim.Readers;
using ParallelSim.Core.Fitting;
using ParallelSim.Core.Stack;
using ParallelSim.Core.Validation;

namespace ParallelSim.Tests.Core;

public class StackCalibrationTests
{
    private static double Predict(ReferenceCase c, StackSpec s) =>
        ReferenceCheck.Predict(c with { Inputs = c.Inputs with { Options = c.Inputs.Options with { Stack = s } } });

    private static ReferenceCase[] H200Steps() =>
        ReferenceReader.Embedded(Catalog.Default).Single(s => s.Name == "h200-train-iteration").Cases.ToArray();

    /// <summary>The H200 steps with their published times replaced by the model's own on a stack with known factors.</summary>
    private static ReferenceCase[] Generated(double gemm, double attention) =>
        H200Steps().Select(c => c with { Expected = Predict(c, StackSpec.Reference with { GemmDerate = gemm, AttentionDerate = attention }) }).ToArray();

    [Fact]
    public void The_fit_recovers_the_factors_that_generated_the_cases()
    {
        var fit = StackCalibration.Fit(Generated(0.85, 0.7), Predict, new StackFitSettings([StackFactor.Gemm, StackFactor.Attention]));
        Assert.True(fit.Converged);
        Assert.Equal(0.85, fit.Factors.Gemm!.Value, 3);
        Assert.Equal(0.7, fit.Factors.Attention!.Value, 3);
        Assert.Null(fit.Factors.Nic);
        Assert.True(fit.MapePct < 0.05, $"MAPE {fit.MapePct}");
        Assert.True(fit.MapeBeforePct > 5, $"MAPE before {fit.MapeBeforePct}");
    }

    [Fact]
    public void A_factor_is_kept_inside_its_bounds()
    {
        // cases twice as slow as GEMMs at 30% of the curve could explain: the derate stops at its lower bound
        var cases = H200Steps().Select(c => c with { Expected = Predict(c, StackSpec.Reference with { GemmDerate = 0.3 }) * 3 }).ToArray();
        var fit = StackCalibration.Fit(cases, Predict, new StackFitSettings([StackFactor.Gemm]));
        Assert.Equal(StackFactorInfo.Bounds(StackFactor.Gemm).Min, fit.Factors.Gemm!.Value, 9);
    }

    [Fact]
    public void The_NIC_cannot_move_single_GPU_steps()
    {
        var cases = H200Steps();
        Assert.Equal([StackFactor.Nic], StackCalibration.Immovable(cases, Predict, StackFactorInfo.All));
    }

    [Fact]
    public void Leave_one_run_out_predicts_each_case_from_the_others_only()
    {
        var cases = Generated(0.9, 0.8).Take(4).ToArray();
        // one run per two cases: a case's sibling is left out with it
        string Run(ReferenceCase c) => (Array.IndexOf(cases, c) / 2).ToString();
        var loo = StackCalibration.LeaveOneRunOut(cases, Predict, new StackFitSettings([StackFactor.Gemm]), Run);
        Assert.All(loo, p => Assert.NotNull(p));
        var alone = StackCalibration.LeaveOneRunOut(cases, Predict, new StackFitSettings([StackFactor.Gemm]), _ => "one run");
        Assert.All(alone, p => Assert.Null(p));
    }

    [Fact]
    public void Too_few_iterations_still_return_the_best_point_seen()
    {
        var fit = StackCalibration.Fit(Generated(0.85, 0.7), Predict, new StackFitSettings([StackFactor.Gemm, StackFactor.Attention], MaxIterations: 3));
        Assert.False(fit.Converged);
        Assert.True(fit.MapePct <= fit.MapeBeforePct);
    }
}
