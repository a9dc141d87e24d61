using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;
using ParallelSim.Search;
using static ParallelSim.Tests.Search.TinyModels;

namespace ParallelSim.Tests.Search;

public class PlanSpaceTests
{
    private static readonly ClusterSpec Twelve = new(Node, 12);
    private static readonly PlanFixed Batch12 = new(12);
    // the brute force takes a while: run it once for all the tests, each filters it
    private static readonly Lazy<List<ParallelSim.Core.Parallelism.ParallelPlan>> AllValid = new(() => BruteForce(Tiny, Twelve, 12));
    private static List<ParallelSim.Core.Parallelism.ParallelPlan> Valid(Func<ParallelSim.Core.Parallelism.ParallelPlan, bool>? keep = null) =>
        keep is null ? AllValid.Value : AllValid.Value.Where(keep).ToList();

    [Fact]
    public void With_equivalents_kept_the_space_is_exactly_what_PlanValidator_accepts()
    {
        var space = PlanSpace.Enumerate(Tiny, Twelve, Batch12, SweepDimensions.Open, keepEquivalent: true);
        var expected = Valid();
        Assert.True(expected.Count > 1000, $"the brute force should find a real space (found {expected.Count})");
        Assert.Equal(expected.Count, space.Plans.Count);
        Assert.Equal(expected.ToHashSet(), space.Plans.ToHashSet());
    }

    [Fact]
    public void By_default_the_space_is_the_valid_plans_less_equivalent_and_unsupported_ones()
    {
        var space = PlanSpace.Enumerate(Tiny, Twelve, Batch12, SweepDimensions.Open);
        var expected = Valid(p => SweepRules.Equivalent(p) is null && SweepRules.Unsupported(p) is null);
        Assert.Equal(expected.Count, space.Plans.Count);
        Assert.Equal(expected.ToHashSet(), space.Plans.ToHashSet());
        Assert.Equal(space.Plans.Count, space.Plans.Distinct().Count());
    }

    [Fact]
    public void Restrictions_keep_exactly_the_valid_plans_inside_them()
    {
        var dims = new SweepDimensions
        {
            Tp = [1, 2, 3], Zero = [ZeroStage.None, ZeroStage.OptimizerStates], Schedule = [ScheduleKind.OneFOneB, ScheduleKind.Interleaved],
            Recompute = [RecomputeMode.Selective], MicroBatch = [1, 2], MaxTp = 2,
        };
        var space = PlanSpace.Enumerate(Tiny, Twelve, Batch12, dims);
        var expected = Valid(p => p.Tp is 1 or 2 && p.Zero <= ZeroStage.OptimizerStates && p.Schedule is ScheduleKind.OneFOneB or ScheduleKind.Interleaved
            && p.Recompute == RecomputeMode.Selective && p.MicroBatch is 1 or 2 && SweepRules.Equivalent(p) is null && SweepRules.Unsupported(p) is null);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.ToHashSet(), space.Plans.ToHashSet());
    }

    [Fact]
    public void Invalid_branches_are_cut_once_with_the_reason()
    {
        var space = PlanSpace.Enumerate(Tiny, Twelve, Batch12, SweepDimensions.Open);
        Assert.Contains(space.Rejected, r => r.Tp == 4 && r.Pp is null && r.Reason == "heads (6) must be divisible by tp (4)");
        Assert.Contains(space.Rejected, r => r.Pp == 12 && r.Tp is null
            && r.Reason == "layers (6) must be divisible by pp (12), or layers + 2 (8) with the embedding and the loss counted as layers");
        Assert.Single(space.Rejected, r => r.Tp == 4);
        Assert.Contains(space.Rejected, r => r.Reason.StartsWith("unsupported: ZeRO stage 3 with pipeline parallelism", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pp_that_divides_only_layers_plus_two_is_swept_with_the_end_stages_one_layer_fewer()
    {
        // 6 layers on pp 4: (6 + 2) / 4 = 2 per rank, the first and last rank 1
        var space = PlanSpace.Enumerate(Tiny, Twelve, Batch12, SweepDimensions.Open);
        var pp4 = space.Plans.Where(p => p.Pp == 4).ToArray();
        Assert.NotEmpty(pp4);
        Assert.All(pp4, p => Assert.Equal(LayerSplit.EmbeddingAndLoss, p.Split));
        Assert.All(space.Plans.Where(p => p.Pp is 1 or 2 or 3 or 6), p => Assert.Null(p.Split));
        // interleaved: vpp from the divisors of the 8 counted layers / 4 = 2, chunk 0 of rank 0 then holds the embedding alone
        Assert.Contains(pp4, p => p.Schedule == ScheduleKind.Interleaved && p.Vpp == 2);
        Assert.DoesNotContain(space.Rejected, r => r.Pp == 4 && r.Reason.Contains("layers"));
    }

    [Fact]
    public void A_user_value_that_cannot_divide_is_rejected_with_the_numbers()
    {
        var space = PlanSpace.Enumerate(Tiny, Twelve, Batch12, new SweepDimensions { Tp = [5], Pp = [1] });
        Assert.Empty(space.Plans);
        Assert.Equal("tp (5) must divide the GPU count (12)", Assert.Single(space.Rejected).Reason);
    }

    [Theory]
    [InlineData(12, new[] { 1, 2, 3, 4, 6, 12 })]
    [InlineData(1, new[] { 1 })]
    [InlineData(3072, new[] { 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 3072 })]
    public void Divisors_are_ascending_and_complete(int n, int[] expected) => Assert.Equal(expected, PlanSpace.Divisors(n));
}
