using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Tests.Schedules;

/// <summary>
/// DualPipeV's V puts the first stage (embedding) and the last (final norm, logits, loss) on rank 0: the cost model
/// charges rank 0 for both, time and memory, and the adapter gives each to its own virtual stage.
/// </summary>
public class DualPipeVCostsTests
{
    private static readonly ModelSpec Model = ParallelSim.Readers.Catalog.Default.Model("gpt3-1.3b");
    private static readonly ClusterSpec Cluster = new(ParallelSim.Readers.Catalog.Default.Node("dgx-a100"), 4);

    private static ParallelPlan Plan(ScheduleKind kind, int vpp) =>
        new(1, 4, 1, 1, vpp, 1, 16, ZeroStage.None, RecomputeMode.None, false, kind, PrecisionPolicy.Megatron, true);

    [Fact]
    public void Rank_0_pays_for_the_loss_and_the_last_rank_does_not()
    {
        var v = CostModel.Evaluate(Model, Cluster, Plan(ScheduleKind.DualPipeV, 2), CostOptions.Default);
        var one = CostModel.Evaluate(Model, Cluster, Plan(ScheduleKind.OneFOneB, 1), CostOptions.Default);
        var head = one.Stages[3].Head!;
        Assert.Null(one.Stages[0].Head);
        Assert.Equal(head, v.Stages[0].Head);
        Assert.Null(v.Stages[3].Head);
        // rank 0: 1F1B's first rank plus the head; the last rank: a middle rank's layers only
        Assert.Equal((one.Stages[0].Forward + head.Forward).Value, v.Stages[0].Forward.Value, 1e-12);
        Assert.Equal((one.Stages[0].BackwardInput + head.BackwardInput).Value, v.Stages[0].BackwardInput.Value, 1e-12);
        Assert.Equal(one.Stages[1].Forward.Value, v.Stages[3].Forward.Value, 1e-12);
        // memory: the logits' named extra and the output-layer weights move to rank 0 with the loss
        Assert.Equal((one.Stages[0].Other + one.Stages[3].Other - one.Stages[1].Other).Value, v.Stages[0].Other.Value, 1e-6 * v.Stages[0].Other.Value);
        Assert.Equal(one.Stages[1].Other.Value, v.Stages[3].Other.Value, 1e-6 * v.Stages[3].Other.Value);
        // tied embeddings (gpt3-1.3b): the output layer is the input embedding, on the same rank now, so no copy
        Assert.True(Model.TiedEmbeddings);
        Assert.Equal(one.Stages[0].Parameters + one.Stages[3].Parameters - one.Stages[1].Parameters - (long)Model.Vocab * Model.Hidden, v.Stages[0].Parameters);
        Assert.Equal(one.Stages[1].Parameters, v.Stages[3].Parameters);
        Assert.Equal((one.Stages[0].ActivationsPerMicroBatch + head.ActivationsPerMicroBatch).Value, v.Stages[0].ActivationsPerMicroBatch.Value, 1e-6);
    }

    [Fact]
    public void The_adapter_gives_the_embedding_to_stage_0_and_the_head_to_stage_2p_minus_1_both_on_rank_0()
    {
        var plan = Plan(ScheduleKind.DualPipeV, 2);
        var costs = CostModel.Evaluate(Model, Cluster, plan, CostOptions.Default);
        var d = StepCostsAdapter.Durations(costs, plan);
        Assert.Equal(8, d.Stages.Count);
        var head = costs.Stages[0].Head!;
        // a plain chunk: half of a middle rank (stages 1..6 are halves of ranks 1..3 and rank 0's other half)
        var plain = d.Stages[4];
        Assert.Equal(costs.Stages[3].Forward.Value / 2, plain.Forward.Value, 1e-12);
        Assert.Equal(plain.Forward.Value, d.Stages[3].Forward.Value, 1e-12);
        Assert.Equal((plain.Forward + head.Forward).Value, d.Stages[7].Forward.Value, 1e-12);
        Assert.Equal((plain.BackwardInput + head.BackwardInput).Value, d.Stages[7].BackwardInput.Value, 1e-12);
        Assert.Equal((plain.BackwardWeight + head.BackwardWeight).Value, d.Stages[7].BackwardWeight.Value, 1e-12);
        Assert.Equal((plain.ActivationsPerMicroBatch + head.ActivationsPerMicroBatch).Value, d.Stages[7].ActivationsPerMicroBatch.Value, 1e-6);
        // the embedding alone on stage 0: rank 0's two chunks add up to its cost
        Assert.True(d.Stages[0].Forward.Value > plain.Forward.Value);
        Assert.True(d.Stages[0].Forward.Value < d.Stages[7].Forward.Value);
        for (int r = 0; r < 4; r++)
        {
            Assert.Equal(costs.Stages[r].Forward.Value, (d.Stages[r].Forward + d.Stages[7 - r].Forward).Value, 1e-12);
            Assert.Equal(costs.Stages[r].Backward.Value, (d.Stages[r].FullBackward + d.Stages[7 - r].FullBackward).Value, 1e-12);
        }
    }

    [Fact]
    public void Interleaved_and_single_chunk_plans_keep_the_embedding_first_and_the_head_last()
    {
        var plan = Plan(ScheduleKind.Interleaved, 2);
        var costs = CostModel.Evaluate(Model, Cluster, plan, CostOptions.Default);
        var d = StepCostsAdapter.Durations(costs, plan);
        var head = costs.Stages[3].Head!;
        // stage 7 is rank 3's second chunk; stage 3 its first
        Assert.Equal((d.Stages[3].Forward + head.Forward).Value, d.Stages[7].Forward.Value, 1e-12);
        Assert.Equal(d.Stages[1].Forward.Value, d.Stages[5].Forward.Value, 1e-12);
        Assert.True(d.Stages[0].Forward.Value > d.Stages[4].Forward.Value);
    }
}
