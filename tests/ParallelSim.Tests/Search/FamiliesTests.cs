using ParallelSim.Core.Parallelism;
using ParallelSim.Search;
using static ParallelSim.Tests.Search.TinyModels;

namespace ParallelSim.Tests.Search;

public class FamiliesTests
{
    private static readonly SweepResult Result = new Sweeper().Run(new SweepRequest(Tiny, Node, [4, 12], new PlanFixed(12)));

    [Fact]
    public void Only_families_the_winner_is_not_in_are_compared()
    {
        var best = Result.Best!.Plan;
        var compared = Families.Compare(Result);
        Assert.NotEmpty(compared);
        Assert.All(compared, c => Assert.False(c.Family.Contains(best)));
        var all = Families.For(Node.GpusPerNode);
        Assert.Equal(all.Count(f => !f.Contains(best)), compared.Count);
    }

    [Fact]
    public void Each_family_best_is_its_first_ranked_plan_on_the_winners_gpu_count()
    {
        long gpus = Result.Best!.Gpus;
        foreach (var c in Families.Compare(Result))
        {
            int? expected = Result.Ranked.Cast<int?>().FirstOrDefault(i => Result.Evaluated[i!.Value]!.Gpus == gpus && c.Family.Contains(Result.Evaluated[i.Value]!.Plan));
            Assert.Equal(expected, c.BestIndex);
            if (c.BestIndex is int b)
                Assert.True(Result.Evaluated[b]!.Metrics.StepSeconds >= Result.Best.Metrics.StepSeconds, c.Family.Name);
        }
    }

    [Fact]
    public void With_nothing_fitting_there_is_no_winner_to_compare()
    {
        var none = new Sweeper().Run(new SweepRequest(Tiny, Node, [12], new PlanFixed(12)) { Headroom = 0.999 });
        Assert.Null(none.Best);
        Assert.Empty(Families.Compare(none));
    }

    [Theory]
    [InlineData(16, true)]
    [InlineData(8, false)]
    public void Tp_larger_than_a_node_is_the_across_nodes_family(int tp, bool across)
    {
        var plan = new ParallelPlan(tp, 1, 1, 1, 1, 1, 1, ZeroStage.None, RecomputeMode.None, false, ScheduleKind.OneFOneB, PrecisionPolicy.Megatron, true);
        var family = Families.For(8).Single(f => f.Name.StartsWith("TP across nodes", StringComparison.Ordinal));
        Assert.Equal(across, family.Contains(plan));
    }
}
