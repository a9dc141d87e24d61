using ParallelSim.Readers;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;

namespace ParallelSim.Tests.Core;

/// <summary>Gradient traffic and ZeRO-3 gathers share the data-parallel links: overlap hides them, but never twice.</summary>
public class SharedLinkTests
{
    [Theory]
    [InlineData("gpt3-13b", 64, 1, 1, 2)]     // little compute per GPU, a lot of parameters to gather
    [InlineData("gpt3-175b", 1024, 4, 1, 1)]  // one small micro-batch: gathers and gradient traffic together exceed the compute
    [InlineData("gpt3-175b", 1024, 4, 3, 2)]
    [InlineData("llama2-7b", 16, 1, 2, 2)]
    public void A_step_is_never_shorter_than_the_data_parallel_links_are_busy(string model, int gpus, int tp, int microBatch, int microBatches)
    {
        var m = Catalog.Default.Model(model);
        var c = new ClusterSpec(Catalog.Default.Node("dgx-a100"), gpus);
        int dp = gpus / tp;
        var plan = new ParallelPlan(tp, 1, dp, 1, 1, microBatch, dp * microBatch * microBatches, ZeroStage.Parameters, RecomputeMode.Full, tp > 1,
            ScheduleKind.OneFOneB, PrecisionPolicy.Megatron, true);
        var r = Evaluator.Evaluate(m, c, plan);
        Assert.True(r.Costs.Zero3Comm.Value > 0);
        Assert.True(r.Time.Step.Value >= r.Costs.Zero3Comm.Value + r.Costs.DpComm.Value,
            $"step {r.Time.Step.Value:F3} s < gathers {r.Costs.Zero3Comm.Value:F3} s + gradient traffic {r.Costs.DpComm.Value:F3} s");
    }
}
