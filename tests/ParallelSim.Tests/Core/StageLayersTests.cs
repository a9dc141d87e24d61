using ParallelSim.Readers;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;

namespace ParallelSim.Tests.Core;

/// <summary>The layers of every (virtual) stage, with Megatron-LM's uneven splits, and the errors of a bad split.</summary>
public class StageLayersTests
{
    private static readonly LayerSplit Both = LayerSplit.EmbeddingAndLoss;
    private static string All(IReadOnlyList<string> problems) => string.Join("\n", problems);

    [Fact]
    public void An_even_split_gives_every_virtual_stage_its_share()
    {
        Assert.Equal(Enumerable.Repeat(12, 8), StageLayers.PerVirtualStage(96, 8, 1, null));
        Assert.Equal(Enumerable.Repeat(6, 16), StageLayers.PerVirtualStage(96, 8, 2, null));
        Assert.Equal(Enumerable.Repeat(12, 8), StageLayers.PerRank(96, 8, 2, null));
        // a split with nothing set is the even one
        Assert.Equal(StageLayers.PerVirtualStage(96, 8, 2, null), StageLayers.PerVirtualStage(96, 8, 2, new LayerSplit()));
    }

    [Fact]
    public void Llama_3_405B_places_7_layers_on_the_end_stages_and_8_on_the_14_middle_ones()
    {
        // arXiv:2407.21783 §3.3.2: 126 layers on 16 stages, one layer fewer on the first and the last
        var ranks = StageLayers.PerRank(126, 16, 1, new LayerSplit(7, 7));
        Assert.Equal(new[] { 7 }.Concat(Enumerable.Repeat(8, 14)).Append(7), ranks);
        Assert.Equal(126, ranks.Sum());
        // the same placement from Megatron's accounting: (126 + 1 + 1) / 16 = 8, one fewer where the embedding and the loss are
        Assert.Equal(ranks, StageLayers.PerRank(126, 16, 1, Both));
        Assert.Empty(StageLayers.Problems(126, 16, 1, new LayerSplit(7, 7)));
        Assert.Empty(StageLayers.Problems(126, 16, 1, Both));
    }

    [Fact]
    public void One_count_alone_leaves_the_rest_to_every_other_stage()
    {
        // Megatron: only the first stage set, the other p - 1 ranks share L - first
        Assert.Equal(new[] { 6, 8, 8, 8 }, StageLayers.PerRank(30, 4, 1, new LayerSplit(FirstStageLayers: 6)));
        Assert.Equal(new[] { 8, 8, 8, 6 }, StageLayers.PerRank(30, 4, 1, new LayerSplit(LastStageLayers: 6)));
        // pp 2 with both ends set: no middle stage
        Assert.Equal(new[] { 5, 7 }, StageLayers.PerRank(12, 2, 1, new LayerSplit(5, 7)));
    }

    [Fact]
    public void With_chunks_the_counts_are_shared_by_all_chunks_of_a_rank()
    {
        // Megatron get_num_layers_to_build: the first (last) rank's count for all its virtual stages, 1/v each
        var virtualStages = StageLayers.PerVirtualStage(36, 4, 2, new LayerSplit(8, 8));
        Assert.Equal(new[] { 4, 5, 5, 4, 4, 5, 5, 4 }, virtualStages);
    }

    [Fact]
    public void Counting_embedding_and_loss_as_layers_takes_one_off_the_very_first_and_last_virtual_stage()
    {
        // the zero-bubble paper's 1.5B model (arXiv:2401.10241 Table 3): 22 layers on 8 stages
        Assert.Equal(new[] { 2, 3, 3, 3, 3, 3, 3, 2 }, StageLayers.PerRank(22, 8, 1, Both));
        // its 1F1B-I rows: one layer per chunk, v = (22 + 2) / 8 = 3; chunk 0 of rank 0 and chunk 2 of rank 7 hold none
        var chunks = StageLayers.PerVirtualStage(22, 8, 3, Both);
        Assert.Equal(24, chunks.Length);
        Assert.Equal(0, chunks[0]);
        Assert.Equal(0, chunks[23]);
        Assert.All(chunks[1..23], n => Assert.Equal(1, n));
        Assert.Equal(new[] { 2, 3, 3, 3, 3, 3, 3, 2 }, StageLayers.PerRank(22, 8, 3, Both));
        // the embedding alone: (31 + 1) / 8 = 4, the first rank 3
        Assert.Equal(new[] { 3, 4, 4, 4, 4, 4, 4, 4 }, StageLayers.PerRank(31, 8, 1, new LayerSplit(EmbeddingAsLayer: true)));
        Assert.Equal(new[] { 4, 4, 4, 3 }, StageLayers.PerRank(15, 4, 1, new LayerSplit(LossAsLayer: true)));
    }

    [Fact]
    public void Every_accepted_split_places_all_layers_and_none_below_zero()
    {
        var splits = new List<LayerSplit?> { null, Both, new(EmbeddingAsLayer: true), new(LossAsLayer: true) };
        for (int f = 0; f <= 6; f++)
            for (int l = 0; l <= 6; l++)
                splits.Add(new LayerSplit(f == 0 ? null : f, l == 0 ? null : l));
        int accepted = 0;
        for (int layers = 1; layers <= 40; layers++)
            for (int pp = 1; pp <= 8; pp++)
                for (int vpp = 1; vpp <= 4; vpp++)
                    foreach (var split in splits)
                    {
                        if (StageLayers.Problems(layers, pp, vpp, split).Count > 0) continue;
                        accepted++;
                        var stages = StageLayers.PerVirtualStage(layers, pp, vpp, split);
                        Assert.Equal(pp * vpp, stages.Length);
                        Assert.Equal(layers, stages.Sum());
                        Assert.All(stages, n => Assert.True(n >= 0));
                        // a middle rank's chunks hold the same number of layers
                        for (int r = 1; r < pp - 1; r++)
                            Assert.Single(Enumerable.Range(0, vpp).Select(c => stages[c * pp + r]).Distinct());
                    }
        Assert.True(accepted > 1000, $"only {accepted} combinations accepted");
    }

    [Fact]
    public void A_count_below_one_is_an_error_naming_it()
    {
        var problems = All(StageLayers.Problems(126, 16, 1, new LayerSplit(-1, 0)));
        Assert.Contains("first-stage-layers must be at least 1 (got -1)", problems);
        Assert.Contains("last-stage-layers must be at least 1 (got 0)", problems);
    }

    [Fact]
    public void Counts_that_leave_no_whole_number_for_the_middle_stages_say_which_values_would()
    {
        var problems = All(StageLayers.Problems(126, 16, 1, new LayerSplit(7, 8)));
        Assert.Contains("first-stage-layers (7) and last-stage-layers (8) leave 111 of 126 layers for 14 middle stages", problems);
        Assert.Contains("valid with first-stage-layers 7: last-stage-layers 7, 21", problems);
        // one count alone: 126 - 10 = 116 over 15 stages
        var alone = All(StageLayers.Problems(126, 16, 1, new LayerSplit(FirstStageLayers: 10)));
        Assert.Contains("first-stage-layers (10) leave 116 of 126 layers for 15 middle stages", alone);
        Assert.Contains("valid: first-stage-layers 6", alone);
        // more layers on the ends than there are
        Assert.Contains("leave -74 of 126 layers", All(StageLayers.Problems(126, 16, 1, new LayerSplit(100, 100))));
        // pp 2: the two ends must hold everything
        Assert.Contains("must add up to layers (12) with pp 2", All(StageLayers.Problems(12, 2, 1, new LayerSplit(5, 5))));
    }

    [Fact]
    public void Counts_need_pp_of_at_least_2() =>
        Assert.Contains("first-stage-layers and last-stage-layers need pp of at least 2 (got pp 1)",
            All(StageLayers.Problems(32, 1, 1, new LayerSplit(FirstStageLayers: 30))));

    [Fact]
    public void Counts_with_chunks_must_divide_by_vpp_as_megatron_requires()
    {
        var problems = All(StageLayers.Problems(126, 16, 2, new LayerSplit(7, 7)));
        Assert.Contains("first-stage-layers (7) must be divisible by vpp (2)", problems);
        Assert.Contains("last-stage-layers (7) must be divisible by vpp (2)", problems);
        // ends fine, middle not: (40 - 8 - 8) / 4 = 6 per middle rank, not divisible by 4
        Assert.Contains("layers per middle stage (24 / 4 = 6) must be divisible by vpp (4)", All(StageLayers.Problems(40, 6, 4, new LayerSplit(8, 8))));
    }

    [Fact]
    public void Counts_and_accounting_together_are_rejected()
    {
        var problems = All(StageLayers.Problems(126, 16, 1, new LayerSplit(7, 7, EmbeddingAsLayer: true)));
        Assert.Contains("cannot be combined with the embedding or the loss counted as a layer", problems);
    }

    [Fact]
    public void Accounting_needs_the_counted_layers_to_divide_by_pp_and_vpp()
    {
        // 96 + 2 = 98 is not a multiple of 8; 96 + 1 is not either, nor 97
        var problems = All(StageLayers.Problems(96, 8, 1, Both));
        Assert.Contains("layers (96) + 1 (embedding) + 1 (loss) = 98 must be divisible by pp (8)", problems);
        // 31 + 2 = 33 does not divide by 8, but 31 + 1 does: the message says so
        Assert.Contains("(valid: embedding as a layer or loss as a layer)", All(StageLayers.Problems(31, 8, 1, Both)));
        // 126 + 2 = 128 = 16 x 8, but 8 per rank is not a multiple of vpp 3
        Assert.Contains("layers per rank (128 / 16 = 8, the embedding and loss counted as layers) must be divisible by vpp (3)",
            All(StageLayers.Problems(126, 16, 3, Both)));
        Assert.Empty(StageLayers.Problems(126, 16, 4, Both));
    }

    [Fact]
    public void An_even_split_that_does_not_divide_points_to_the_uneven_one()
    {
        var problems = All(StageLayers.Problems(126, 16, 1, null));
        Assert.Contains("layers (126) must be divisible by pp x vpp (16 x 1 = 16)", problems);
        Assert.Contains("first-stage-layers 7 and last-stage-layers 7", problems);
        // interleaved: only the accounting can do it (7 does not divide by vpp 2)
        Assert.Contains("embedding-as-layer, loss-as-layer", All(StageLayers.Problems(126, 16, 2, null)));
        // no hint when L + 2 does not divide either
        Assert.DoesNotContain("split unevenly", All(StageLayers.Problems(97, 8, 1, null)));
    }

    [Fact]
    public void The_validator_reports_split_problems_with_the_plans_other_problems()
    {
        var model = Catalog.Default.Model("llama3-405b");
        var cluster = new ClusterSpec(Catalog.Default.Node("dgx-h100"), 128);
        var plan = new ParallelPlan(8, 16, 1, 1, 1, 1, 16, ZeroStage.OptimizerStates, RecomputeMode.None, true, ScheduleKind.OneFOneB,
            PrecisionPolicy.Megatron, true);
        string Errors(ParallelPlan p, int gpus = 128) => string.Join("\n", PlanValidator.Validate(model, cluster with { Gpus = gpus }, p)
            .Where(i => i.Severity == Severity.Error).Select(i => i.Message));
        Assert.Contains("layers (126) must be divisible by pp x vpp (16 x 1 = 16)", Errors(plan));
        Assert.Equal("", Errors(plan with { Split = new LayerSplit(7, 7) }));
        var both = Errors(plan with { Split = new LayerSplit(7, 9), MicroBatch = 3 }, 256);
        Assert.Contains("leave 110 of 126 layers for 14 middle stages", both);
        Assert.Contains("must be divisible by micro-batch x dp", both);
        Assert.Contains("must equal the GPU count (256)", both);
    }
}
