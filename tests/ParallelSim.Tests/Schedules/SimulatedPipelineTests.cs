using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Tests.Schedules;

public class SimulatedPipelineTests
{
    private static (ModelSpec, ClusterSpec, ParallelPlan) Gpt3OnA100(ScheduleKind kind, int vpp, int microBatches)
    {
        var model = ParallelSim.Readers.Catalog.Default.Model("gpt3-175b");
        var cluster = new ClusterSpec(ParallelSim.Readers.Catalog.Default.Node("dgx-a100"), 64);
        var plan = new ParallelPlan(8, 8, 1, 1, vpp, 1, microBatches, ZeroStage.None, RecomputeMode.Selective, true, kind, PrecisionPolicy.Megatron, true);
        return (model, cluster, plan);
    }

    [Theory]
    [InlineData(ScheduleKind.GPipe, 1, 16)]
    [InlineData(ScheduleKind.OneFOneB, 1, 64)]
    [InlineData(ScheduleKind.Interleaved, 3, 32)]
    [InlineData(ScheduleKind.ZeroBubbleH1, 1, 8)]
    [InlineData(ScheduleKind.ZeroBubbleH1, 1, 64)]
    [InlineData(ScheduleKind.ZeroBubbleH2, 1, 8)]
    [InlineData(ScheduleKind.ZeroBubbleH2, 1, 64)]
    [InlineData(ScheduleKind.DualPipeV, 2, 16)]
    [InlineData(ScheduleKind.DualPipeV, 2, 64)]
    public void Simulated_makespan_lies_between_the_busiest_rank_and_the_slowest_stage_closed_form(ScheduleKind kind, int vpp, int m)
    {
        var (model, cluster, plan) = Gpt3OnA100(kind, vpp, m);
        var costs = CostModel.Evaluate(model, cluster, plan, CostOptions.Default);
        var run = SimulatedPipeline.Run(plan, costs, CostOptions.Default, cluster);
        var closed = ClosedFormPipeline.Evaluate(plan, costs, CostOptions.Default);
        Assert.Equal(kind == ScheduleKind.ZeroBubbleH2 ? "event simulation, steps overlapping" : "event simulation", run.Outcome.Method);
        // the closed form runs every slot at the slowest stage's pace: an upper bound; the busiest rank's work a lower one.
        // DualPipeV's is the larger of two lower bounds (DualPipeVClosedForm.Step), within 2% here; the sends (not
        // overlapped by default) it charges to every chunk at the lightest pace can put it a little above (0.08% at m = 16)
        if (kind == ScheduleKind.DualPipeV)
            Assert.InRange(run.Outcome.Makespan.Value, closed.Makespan.Value * 0.998, closed.Makespan.Value * 1.02);
        else
            Assert.True(run.Outcome.Makespan.Value <= closed.Makespan.Value * (1 + 1e-9), $"{run.Outcome.Makespan.Value} > {closed.Makespan.Value}");
        Assert.True(run.Outcome.Makespan.Value > run.Summary.BusiestRankCompute.Value);
        Assert.Equal(closed.BusiestRankCompute.Value, run.Summary.BusiestRankCompute.Value, 1e-9 * closed.BusiestRankCompute.Value);
        // the in-flight counts agree with the closed form up to the uneven activation shares of the end chunks (by bytes)
        for (int r = 0; r < plan.Pp; r++) Assert.Equal(closed.PeakInFlight[r], run.Outcome.PeakInFlight[r], 0.02 * closed.PeakInFlight[r]);
        var result = Evaluator.Combine(model, cluster, plan, CostOptions.Default, costs, run.Outcome);
        // 1F1B and interleaved: the first stage holds the most micro-batches and limits memory; GPipe: every stage holds m,
        // and the last one's logits tip it
        Assert.Equal(kind == ScheduleKind.GPipe ? plan.Pp - 1 : 0, result.Memory.LimitingStage);
    }

    [Fact]
    public void ZB_H1_beats_1F1B_on_both_paths_with_the_same_activations()
    {
        var (model, cluster, zbPlan) = Gpt3OnA100(ScheduleKind.ZeroBubbleH1, 1, 32);
        var onePlan = zbPlan with { Schedule = ScheduleKind.OneFOneB };
        var zbSim = ParallelSim.Cli.Commands.SimulatedEvaluation.Evaluate(model, cluster, zbPlan, CostOptions.Default);
        var oneSim = ParallelSim.Cli.Commands.SimulatedEvaluation.Evaluate(model, cluster, onePlan, CostOptions.Default);
        var zbClosed = Evaluator.Evaluate(model, cluster, zbPlan);
        var oneClosed = Evaluator.Evaluate(model, cluster, onePlan);
        Assert.True(zbSim.Time.Step < oneSim.Time.Step, $"simulated: zb-h1 {zbSim.Time.Step.Value} vs 1f1b {oneSim.Time.Step.Value}");
        Assert.True(zbClosed.Time.Step < oneClosed.Time.Step, $"closed form: zb-h1 {zbClosed.Time.Step.Value} vs 1f1b {oneClosed.Time.Step.Value}");
        Assert.True(zbSim.Time.BubbleFraction < oneSim.Time.BubbleFraction);
        // arXiv:2401.10241 Table 2: ZB-H1 holds p·M_B at the peak, as 1F1B
        Assert.Equal(oneSim.Memory.Peak.Value, zbSim.Memory.Peak.Value, 1e-9 * oneSim.Memory.Peak.Value);
        Assert.Equal(oneClosed.Memory.Peak.Value, zbClosed.Memory.Peak.Value, 1e-9 * oneClosed.Memory.Peak.Value);
    }

    [Fact]
    public void The_schedules_library_does_not_depend_on_the_cli()
    {
        var refs = typeof(PipelineSimulator).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToArray();
        Assert.DoesNotContain("System.CommandLine", refs);
        Assert.DoesNotContain("parallelsim", refs);
        Assert.Contains("ParallelSim.Core", refs);
    }
}

public class StepCostsAdapterTests
{
    [Fact]
    public void Boundaries_that_cross_a_node_take_the_network_and_the_rest_nvlink()
    {
        // pp 16 with one GPU per stage on 8-GPU nodes: only the 7 -> 8 boundary (and the chunk wrap 15 -> 0) leaves a node
        var model = ParallelSim.Readers.Catalog.Default.Model("gpt3-1.3b");
        var cluster = new ClusterSpec(ParallelSim.Readers.Catalog.Default.Node("dgx-a100"), 16);
        var plan = new ParallelPlan(1, 16, 1, 1, 2, 1, 32, ZeroStage.None, RecomputeMode.None, false, ScheduleKind.Interleaved, PrecisionPolicy.Megatron, true);
        var costs = CostModel.Evaluate(model, cluster, plan, CostOptions.Default);
        var d = StepCostsAdapter.Durations(costs, plan, cluster);
        Assert.Equal(32, d.Stages.Count);
        var links = d.Stages.Select(s => s.SendToNext.Value).ToArray();
        double nvlink = links[0], network = links[7];
        Assert.True(network > 2 * nvlink, $"network {network} vs nvlink {nvlink}");
        for (int s = 0; s < 31; s++)
            Assert.Equal(s % 16 == 7 || s % 16 == 15 ? network : nvlink, links[s]);
        // without a cluster, every boundary takes the cost model's single p2p time
        Assert.All(StepCostsAdapter.Durations(costs, plan).Stages, s => Assert.Equal(costs.P2PTransfer, s.SendToNext));
    }

    [Fact]
    public void Each_stage_runs_its_own_input_and_weight_backward_from_the_cost_model()
    {
        var model = ParallelSim.Readers.Catalog.Default.Model("gpt3-1.3b");
        var cluster = new ClusterSpec(ParallelSim.Readers.Catalog.Default.Node("dgx-a100"), 4);
        var plan = new ParallelPlan(1, 4, 1, 1, 1, 1, 8, ZeroStage.None, RecomputeMode.None, false, ScheduleKind.ZeroBubbleH1, PrecisionPolicy.Megatron, true);
        var costs = CostModel.Evaluate(model, cluster, plan, CostOptions.Default);
        var d = StepCostsAdapter.Durations(costs, plan, cluster);
        Assert.Equal(4, d.Stages.Count);
        for (int s = 0; s < 4; s++)
        {
            var st = costs.Stages[s];
            Assert.Equal(st.BackwardInput.Value, d.Stages[s].BackwardInput.Value, 1e-12);
            Assert.Equal(st.BackwardWeight.Value, d.Stages[s].BackwardWeight.Value, 1e-12);
            Assert.Equal(d.Stages[s].FullBackward.Value, (d.Stages[s].BackwardInput + d.Stages[s].BackwardWeight).Value, 1e-12);
        }
        // the first stage carries the embedding and the last the logits and loss: their splits differ from a middle stage's
        Assert.NotEqual(d.Stages[1].BackwardInput.Value, d.Stages[3].BackwardInput.Value);
        Assert.True(d.Stages[1].BackwardWeight.Value > 0);
    }
}
