using ParallelSim.Readers;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Tests.Core;

/// <summary>The cost model, the closed form and the event simulator with layers placed unevenly on the stages.</summary>
public class UnevenStageCostTests
{
    private static readonly ModelSpec Llama405B = Catalog.Default.Model("llama3-405b");
    private static readonly ClusterSpec Cluster = new(Catalog.Default.Node("dgx-h100"), 128);

    /// <summary>Llama 3 405B on one model replica: tp 8, pp 16, 16 micro-batches.</summary>
    private static ParallelPlan Plan(LayerSplit? split, ScheduleKind schedule = ScheduleKind.OneFOneB, int vpp = 1) =>
        new(8, 16, 1, 1, vpp, 1, 16, ZeroStage.None, RecomputeMode.None, true, schedule, PrecisionPolicy.Megatron, true, split);

    [Fact]
    public void Each_stage_costs_its_own_layers_in_time_activations_and_model_states()
    {
        var uneven = CostModel.Evaluate(Llama405B, Cluster, Plan(new LayerSplit(7, 7)), CostOptions.Default);
        // the same model with 128 layers splits evenly into 8 per stage: its stages are the uneven plan's plus one layer on the ends
        var even = CostModel.Evaluate(Llama405B with { Layers = 128 }, Cluster, Plan(null), CostOptions.Default);
        Assert.Equal(new[] { 7 }.Concat(Enumerable.Repeat(8, 14)).Append(7), uneven.Stages.Select(s => s.Layers));
        for (int r = 1; r < 15; r++) Assert.Equal(even.Stages[r], uneven.Stages[r]);
        var layer = even.Stages[1];
        foreach (int r in new[] { 0, 15 })
        {
            var u = uneven.Stages[r]; var e = even.Stages[r];
            Assert.Equal(ParameterCount.PerLayer(Llama405B), e.Parameters - u.Parameters);
            Assert.Equal(layer.Forward.Value / 8, (e.Forward - u.Forward).Value, 1e-9 * layer.Forward.Value);
            Assert.Equal(layer.Backward.Value / 8, (e.Backward - u.Backward).Value, 1e-9 * layer.Backward.Value);
            Assert.Equal(layer.ActivationsPerMicroBatch.Value / 8, (e.ActivationsPerMicroBatch - u.ActivationsPerMicroBatch).Value, 1e-6 * layer.ActivationsPerMicroBatch.Value);
            Assert.Equal(layer.Weights.Value / 8, (e.Weights - u.Weights).Value, 1e-6 * layer.Weights.Value);
            Assert.Equal(layer.Optimizer.Value / 8, (e.Optimizer - u.Optimizer).Value, 1e-6 * layer.Optimizer.Value);
        }
    }

    [Fact]
    public void Memory_per_stage_reports_the_layers_each_stage_holds()
    {
        var result = Evaluator.Evaluate(Llama405B, Cluster, Plan(new LayerSplit(7, 7)));
        Assert.Equal(new[] { 7 }.Concat(Enumerable.Repeat(8, 14)).Append(7), result.Memory.Stages.Select(s => s.Layers));
        // 1F1B: the first stage holds p micro-batches of its 7 layers' activations, stage 1 p - 1 of its 8 layers'
        for (int r = 0; r < 16; r++)
            Assert.Equal((result.Costs.Stages[r].ActivationsPerMicroBatch * (16 - r)).Value, result.Memory.Stages[r].Activations.Value, 1.0);
        Assert.True(result.Costs.Stages[0].ActivationsPerMicroBatch < result.Costs.Stages[1].ActivationsPerMicroBatch);
        // the first stage's weights are 7 layers and the embedding; the middle's 8 layers
        Assert.Equal(result.Costs.Stages[0].Weights, result.Memory.Stages[0].Weights);
    }

    [Theory]
    [InlineData(ScheduleKind.OneFOneB, 1)]
    [InlineData(ScheduleKind.ZeroBubbleH1, 1)]
    [InlineData(ScheduleKind.GPipe, 1)]
    [InlineData(ScheduleKind.Interleaved, 2)]
    [InlineData(ScheduleKind.Interleaved, 4)]
    public void Closed_form_and_simulator_agree_with_uneven_stages(ScheduleKind schedule, int vpp)
    {
        // interleaved needs the accounting (7 does not divide by vpp); the others take the counts
        var split = schedule == ScheduleKind.Interleaved ? LayerSplit.EmbeddingAndLoss : new LayerSplit(7, 7);
        var plan = Plan(split, schedule, vpp);
        Assert.DoesNotContain(PlanValidator.Validate(Llama405B, Cluster, plan), i => i.Severity == Severity.Error);
        var costs = CostModel.Evaluate(Llama405B, Cluster, plan, CostOptions.Default);
        var run = SimulatedPipeline.Run(plan, costs, CostOptions.Default, Cluster);
        var closed = ClosedFormPipeline.Evaluate(plan, costs, CostOptions.Default);
        // the closed form paces every slot at the slowest stage: an upper bound; the busiest rank's work a lower one
        Assert.True(run.Outcome.Makespan.Value <= closed.Makespan.Value * (1 + 1e-9), $"{run.Outcome.Makespan.Value} > {closed.Makespan.Value}");
        Assert.True(run.Outcome.Makespan.Value > run.Summary.BusiestRankCompute.Value);
        Assert.Equal(closed.BusiestRankCompute.Value, run.Summary.BusiestRankCompute.Value, 1e-9 * closed.BusiestRankCompute.Value);
        // with 7 layers beside the embedding and the logits, the end stages are close to the middle ones: within 3%
        Assert.Equal(closed.Makespan.Value, run.Outcome.Makespan.Value, 0.03 * closed.Makespan.Value);
    }

    [Fact]
    public void The_simulator_runs_each_chunk_with_its_own_layers()
    {
        // 22 layers, 8 stages, one layer per chunk (the zero-bubble paper's 1F1B-I): chunk 0 of rank 0 holds only the embedding
        var model = new ModelSpec("zb-1.5b", Architecture.Gpt, 22, 2304, 24, 24, 9216, 32000, 1024, false, new Source("arXiv:2401.10241 Table 3"));
        var cluster = new ClusterSpec(Catalog.Default.Node("dgx-a100"), 8);
        var plan = new ParallelPlan(1, 8, 1, 1, 3, 6, 144, ZeroStage.None, RecomputeMode.None, false, ScheduleKind.Interleaved,
            PrecisionPolicy.Megatron, false, LayerSplit.EmbeddingAndLoss);
        Assert.DoesNotContain(PlanValidator.Validate(model, cluster, plan), i => i.Severity == Severity.Error);
        var costs = CostModel.Evaluate(model, cluster, plan, CostOptions.Default);
        var d = StepCostsAdapter.Durations(costs, plan, cluster);
        Assert.Equal(24, d.Stages.Count);
        var layer = StepCostsAdapter.Layer(costs);
        // a middle chunk is one layer; the embedding-only chunk is far lighter, the logits-only chunk heavier than a layer
        Assert.Equal(layer.Forward.Value, d.Stages[1].Forward.Value, 1e-12);
        Assert.True(d.Stages[0].Forward < 0.2 * layer.Forward, $"{d.Stages[0].Forward.Value} vs {layer.Forward.Value}");
        Assert.True(d.Stages[23].Forward > layer.Forward);
        // every rank's chunks add up to its cost-model stage
        for (int r = 0; r < 8; r++)
        {
            double sum = Enumerable.Range(0, 3).Sum(c => d.Stages[c * 8 + r].Forward.Value);
            Assert.Equal(costs.Stages[r].Forward.Value, sum, 1e-9 * sum);
        }
    }

    [Fact]
    public void Costs_from_another_split_are_refused_by_the_adapter()
    {
        var costs = CostModel.Evaluate(Llama405B, Cluster, Plan(new LayerSplit(7, 7)), CostOptions.Default);
        var e = Assert.Throws<ArgumentException>(() => StepCostsAdapter.Durations(costs, Plan(new LayerSplit(FirstStageLayers: 6))));
        Assert.Contains("rank 0 of the costs holds 7 layers", e.Message);
    }
}
