using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Schedules.Simulation;
using ParallelSim.Cli.Loading;

namespace ParallelSim.Tests.Schedules;

/// <summary>The zero-bubble paper's layout (arXiv:2401.10241 Table 3): first and last stage one layer fewer.</summary>
public class PaperLayoutTests
{
    private static (ModelSpec Slots, ClusterSpec Cluster, ParallelPlan Plan) Case(ScheduleKind kind, int v)
    {
        // the paper's 6.2B model: 30 layers on 8 stages as 1 x 3 + 6 x 4 + 1 x 3
        var model = new ModelSpec("zb-6.2b", Architecture.Gpt, 30, 4096, 32, 32, 4 * 4096, 32000, 1024, false, new Source("arXiv:2401.10241 Table 3"));
        var cluster = new ClusterSpec(Catalog.Default.Node("dgx-a100"), 8);
        var plan = new ParallelPlan(1, 8, 1, 1, v, 3, 24 * 3, ZeroStage.None, RecomputeMode.None, false, kind, PrecisionPolicy.Megatron, true);
        return (PaperLayout.Slots(model), cluster, plan);
    }

    [Fact]
    public void End_ranks_hold_one_layer_fewer_with_one_layer_less_of_time_activations_and_model_states()
    {
        var (slots, cluster, plan) = Case(ScheduleKind.OneFOneB, 1);
        Assert.Equal(32, slots.Layers);
        var full = CostModel.Evaluate(slots, cluster, plan, CostOptions.Default);
        var laid = PaperLayout.Costs(full, slots);
        var layer = StepCostsAdapter.Layer(full);
        Assert.Equal(new[] { 3, 4, 4, 4, 4, 4, 4, 3 }, laid.Stages.Select(s => s.Layers));
        foreach (int r in new[] { 0, 7 })
        {
            Assert.Equal((full.Stages[r].Forward - layer.Forward).Value, laid.Stages[r].Forward.Value, 12);
            Assert.Equal((full.Stages[r].ActivationsPerMicroBatch - layer.ActivationsPerMicroBatch).Value, laid.Stages[r].ActivationsPerMicroBatch.Value, 3);
            // one layer's parameters at the rank's bytes per parameter
            double perParam = full.Stages[r].Weights.Value / full.Stages[r].Parameters;
            Assert.Equal(full.Stages[r].Weights.Value - perParam * ParameterCount.PerLayer(slots), laid.Stages[r].Weights.Value, 0);
        }
        for (int r = 1; r < 7; r++) Assert.Equal(full.Stages[r], laid.Stages[r]);
    }

    [Fact]
    public void Interleaved_takes_the_layer_off_the_first_and_last_virtual_stage_only()
    {
        var (slots, cluster, plan) = Case(ScheduleKind.Interleaved, 4);
        var full = CostModel.Evaluate(slots, cluster, plan, CostOptions.Default);
        var even = StepCostsAdapter.Durations(full, plan, cluster);
        var laid = PaperLayout.Durations(full, plan, cluster);
        var layer = StepCostsAdapter.Layer(full);
        Assert.Equal(32, laid.Stages.Count);
        Assert.Equal((even.Stages[0].Forward - layer.Forward).Value, laid.Stages[0].Forward.Value, 12);
        Assert.Equal((even.Stages[31].Forward - layer.Forward).Value, laid.Stages[31].Forward.Value, 12);
        for (int s = 1; s < 31; s++) Assert.Equal(even.Stages[s], laid.Stages[s]);
    }

    [Fact]
    public void The_layout_result_is_no_slower_and_no_heavier_than_the_even_split_of_the_slot_model()
    {
        var (slots, cluster, plan) = Case(ScheduleKind.OneFOneB, 1);
        var (laid, run) = PaperLayout.Evaluate(slots, cluster, plan, CostOptions.Default);
        var even = ParallelSim.Cli.Commands.SimulatedEvaluation.Evaluate(slots, cluster, plan, CostOptions.Default);
        Assert.True(laid.Time.Step <= even.Time.Step);
        Assert.True(laid.Memory.Peak <= even.Memory.Peak);
        // 1F1B: rank 0 holds p micro-batches of its (now 3) layers
        Assert.Equal(8.0, run.Summary.PeakMicroBatchesHeld[0], 9);
        Assert.Equal(laid.Costs.Stages[0].ActivationsPerMicroBatch.Value * 8, laid.Memory.Stages[0].Activations.Value, 0);
    }
}
