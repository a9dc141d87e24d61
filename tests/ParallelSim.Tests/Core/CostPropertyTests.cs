using ParallelSim.Readers;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;

namespace ParallelSim.Tests.Core;

/// <summary>Properties of the cost model that must hold over a grid of plans.</summary>
public class CostPropertyTests
{
    private static readonly string[] ModelNames = ["gpt3-1.3b", "gpt3-13b", "llama3-8b", "llama2-70b"];
    private static ClusterSpec Cluster(long gpus) => new(Catalog.Default.Node("dgx-h100"), (int)gpus);

    private static ParallelPlan Plan(int tp = 1, int pp = 1, int dp = 1, int micro = 1, int global = 8, ZeroStage zero = ZeroStage.None,
        RecomputeMode recompute = RecomputeMode.None, bool sp = false, PrecisionPolicy precision = PrecisionPolicy.Megatron, bool flash = true) =>
        new(tp, pp, dp, 1, 1, micro, global, zero, recompute, sp && tp > 1, ScheduleKind.OneFOneB, precision, flash);

    private static IEnumerable<(ModelSpec Model, ParallelPlan Plan)> Grid()
    {
        foreach (var name in ModelNames)
        {
            var m = Catalog.Default.Model(name);
            foreach (int tp in new[] { 1, 2, 4, 8 })
                foreach (int pp in new[] { 1, 2, 4 })
                    foreach (int micro in new[] { 1, 2 })
                        foreach (var rc in new[] { RecomputeMode.None, RecomputeMode.Selective, RecomputeMode.Full })
                            foreach (var precision in new[] { PrecisionPolicy.Megatron, PrecisionPolicy.TorchAmp })
                            {
                                var plan = Plan(tp, pp, 2, micro, micro * 2 * 8, ZeroStage.None, rc, sp: true, precision);
                                if (PlanValidator.Validate(m, Cluster(plan.Gpus), plan).All(i => i.Severity != Severity.Error)) yield return (m, plan);
                            }
        }
    }

    private static SimulationResult Eval(ModelSpec m, ParallelPlan p) => Evaluator.Evaluate(m, Cluster(p.Gpus), p);

    [Fact]
    public void More_tensor_parallelism_never_raises_per_gpu_weight_memory()
    {
        foreach (var (m, plan) in Grid().Where(x => x.Plan.Tp < 8))
        {
            var wider = plan with { Tp = plan.Tp * 2, SequenceParallel = true };
            if (PlanValidator.Validate(m, Cluster(wider.Gpus), wider).Any(i => i.Severity == Severity.Error)) continue;
            var a = Eval(m, plan).Memory.Stages; var b = Eval(m, wider).Memory.Stages;
            for (int s = 0; s < a.Count; s++)
                Assert.True(b[s].Weights <= a[s].Weights, $"{m.Name} {plan}: stage {s} weights rose from {a[s].Weights.GiB} to {b[s].Weights.GiB} GiB at tp {wider.Tp}");
        }
    }

    [Theory]
    [InlineData(PrecisionPolicy.Megatron)]
    [InlineData(PrecisionPolicy.Zero)]
    [InlineData(PrecisionPolicy.TorchAmp)]
    [InlineData(PrecisionPolicy.Bf16)]
    public void Zero_stages_never_raise_model_state_memory(PrecisionPolicy precision)
    {
        foreach (int dp in new[] { 1, 2, 8, 64, 1024 })
        {
            double previous = double.MaxValue;
            foreach (var zero in new[] { ZeroStage.None, ZeroStage.OptimizerStates, ZeroStage.Gradients, ZeroStage.Parameters })
            {
                var m = Catalog.Default.Model("gpt3-13b");
                var plan = Plan(tp: 1, pp: 1, dp: dp, global: dp * 2, zero: zero, precision: precision);
                var st = Eval(m, plan).Memory.Stages[0];
                double states = (st.Weights + st.Gradients + st.Optimizer).Value;
                Assert.True(states <= previous * (1 + 1e-12), $"dp {dp}: ZeRO {(int)zero} holds {states} bytes, more than the stage before ({previous})");
                previous = states;
            }
        }
    }

    [Fact]
    public void Full_recompute_never_raises_activation_memory()
    {
        foreach (var (m, plan) in Grid().Where(x => x.Plan.Recompute != RecomputeMode.Full))
        {
            var full = plan with { Recompute = RecomputeMode.Full };
            var a = Eval(m, plan).Memory.Stages; var b = Eval(m, full).Memory.Stages;
            for (int s = 0; s < a.Count; s++)
                Assert.True(b[s].Activations <= a[s].Activations, $"{m.Name} {plan}: stage {s} activations rose with full recompute");
        }
    }

    [Fact]
    public void More_micro_batches_never_raise_the_bubble_fraction()
    {
        foreach (var name in ModelNames)
        {
            var m = Catalog.Default.Model(name);
            foreach (int pp in new[] { 2, 4, 8 })
            {
                double previous = double.MaxValue;
                foreach (int mbs in new[] { 1, 2, 4, 8, 16, 32, 64 })
                {
                    var plan = Plan(tp: 1, pp: pp, dp: 1, micro: 1, global: mbs);
                    if (PlanValidator.Validate(m, Cluster(plan.Gpus), plan).Any(i => i.Severity == Severity.Error)) continue;
                    double f = Eval(m, plan).Time.BubbleFraction;
                    Assert.True(f <= previous + 1e-12, $"{name} pp {pp}: bubble fraction rose to {f} at {mbs} micro-batches (was {previous})");
                    previous = f;
                }
            }
        }
    }

    [Fact]
    public void Mfu_is_never_above_one_nor_nan()
    {
        int n = 0;
        foreach (var (m, plan) in Grid())
        {
            var t = Eval(m, plan).Throughput;
            Assert.False(double.IsNaN(t.Mfu) || double.IsNaN(t.Hfu), $"{m.Name} {plan}: MFU or HFU is NaN");
            Assert.InRange(t.Mfu, 0, 1);
            Assert.InRange(t.Hfu, t.Mfu, 1);
            n++;
        }
        Assert.True(n > 100, $"the grid should hold many valid plans (got {n})");
    }
}
