using ParallelSim.Schedules;
using ParallelSim.Schedules.Generators;

namespace ParallelSim.Tests.Schedules;

public class ScheduleValidatorTests
{
    private static PipelineSchedule Edit(PipelineSchedule s, int rank, Func<List<PipelineAction>, List<PipelineAction>> edit)
    {
        var ranks = s.PerRank.Select(l => (IReadOnlyList<PipelineAction>)l.ToList()).ToArray();
        ranks[rank] = edit(ranks[rank].ToList());
        return s with { PerRank = ranks };
    }

    [Fact]
    public void A_missing_backward_is_rejected_with_the_grid()
    {
        var s = Edit(OneFOneB.Build(4, 8), 2, l => { l.Remove(PipelineAction.Parse("2B5")); return l; });
        var e = ScheduleValidator.Validate(s);
        Assert.NotNull(e);
        Assert.Contains("missing backward 2B5", e!.Problem);
        Assert.Equal(2, e.Rank);
        Assert.Contains("rank 0", e.Grid);
        Assert.Contains("(end)*", e.Grid);
        Assert.Contains("<<", e.Grid);
    }

    [Fact]
    public void A_duplicated_forward_is_rejected_and_marked()
    {
        var s = Edit(OneFOneB.Build(4, 8), 1, l => { l.Insert(3, PipelineAction.Parse("1F0")); return l; });
        var e = ScheduleValidator.Validate(s);
        Assert.NotNull(e);
        Assert.Equal("duplicated forward 1F0", e!.Problem);
        Assert.Equal((1, 3), (e.Rank, e.Step));
        var marked = e.Grid.Split('\n').Single(line => line.EndsWith("<<"));
        Assert.StartsWith("3 ", marked);
        Assert.Contains("1F0*", marked);
    }

    [Fact]
    public void A_backward_before_its_forward_is_rejected()
    {
        // rank 3 (the last) runs 3B0 first, before 3F0
        var s = Edit(OneFOneB.Build(4, 8), 3, l => { (l[0], l[1]) = (l[1], l[0]); return l; });
        var e = ScheduleValidator.Validate(s);
        Assert.NotNull(e);
        Assert.Equal("backward 3B0 before its forward 3F0", e!.Problem);
        Assert.Equal((3, 0), (e.Rank, e.Step));
        Assert.Contains("3B0*", e.ToString());
    }

    [Fact]
    public void A_cross_rank_order_that_deadlocks_names_the_pending_actions()
    {
        // rank 0 runs 0B0 before 0F1 while rank 1 needs 1F1 ... : swap so that rank 1 waits for 0F1 before 1B0
        var s = Edit(OneFOneB.Build(2, 2), 0, _ => [PipelineAction.Parse("0F0"), PipelineAction.Parse("0B0"), PipelineAction.Parse("0F1"), PipelineAction.Parse("0B1")]);
        s = Edit(s, 1, _ => [PipelineAction.Parse("1F0"), PipelineAction.Parse("1F1"), PipelineAction.Parse("1B0"), PipelineAction.Parse("1B1")]);
        var e = ScheduleValidator.Validate(s);
        Assert.NotNull(e);
        Assert.Contains("deadlocks", e!.Problem);
        Assert.Contains("rank 0 waits at 0B0 for 1B0", e.Problem);
        Assert.Contains("rank 1 waits at 1F1 for 0F1", e.Problem);
    }

    [Fact]
    public void A_stage_on_two_ranks_is_rejected()
    {
        var s = Edit(GPipe.Build(2, 1), 1, _ => [PipelineAction.Parse("0F0"), PipelineAction.Parse("1F0"), PipelineAction.Parse("1B0")]);
        var e = ScheduleValidator.Validate(s);
        Assert.NotNull(e);
        Assert.Contains("stage 0 already runs on rank 0", e!.Problem);
    }
}
