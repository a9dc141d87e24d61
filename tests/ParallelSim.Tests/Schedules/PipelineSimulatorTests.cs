using ParallelSim.Core.Units;
using ParallelSim.Schedules;
using ParallelSim.Schedules.Generators;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Tests.Schedules;

public class PipelineSimulatorTests
{
    [Fact]
    public void Two_stage_one_micro_batch_by_hand_with_transfer()
    {
        // F0 on rank 0 [0,1], transfer 0.5, F0 on rank 1 [1.5,2.5], B0 on rank 1 [2.5,4.5], transfer back, B0 on rank 0 [5,7]
        var d = StageDurations.Uniform(2, new(1), new(2), new Seconds(0.5));
        var t = PipelineSimulator.Run(OneFOneB.Build(2, 1), d, new SimulatorOptions(OverlapCommunication: true));
        Assert.Equal(7.0, t.Makespan.Value, 12);
        Assert.Equal(new TimedAction(1, PipelineAction.Parse("1F0"), new(1.5), new(2.5)), t.PerRank[1][0]);
        Assert.Equal(new TimedAction(0, PipelineAction.Parse("0B0"), new(5), new(7)), t.PerRank[0][1]);
    }

    [Fact]
    public void A_blocking_send_keeps_the_sender_busy()
    {
        // 1 stage-pair, 2 micro-batches, GPipe: rank 0 sends F0 (busy until 1.5), so F1 runs [1.5,2.5] instead of [1,2]
        var d = StageDurations.Uniform(2, new(1), new(2), new Seconds(0.5));
        var overlapped = PipelineSimulator.Run(GPipe.Build(2, 2), d, new SimulatorOptions(true));
        var blocking = PipelineSimulator.Run(GPipe.Build(2, 2), d, new SimulatorOptions(false));
        Assert.Equal(1.0, overlapped.PerRank[0][1].Start.Value, 12);
        Assert.Equal(1.5, blocking.PerRank[0][1].Start.Value, 12);
        Assert.True(blocking.Makespan > overlapped.Makespan);
    }

    [Fact]
    public void Uneven_stages_make_the_slowest_stage_set_the_pace()
    {
        // 1F1B, p = 3, m = 32; the last stage twice as slow: steady state runs at its pace
        var fast = new StageTiming(new(1), new(2), new(1), new(1), Seconds.Zero, new Bytes(1));
        var slow = fast with { Forward = new(2), FullBackward = new(4) };
        var t = PipelineSimulator.Run(OneFOneB.Build(3, 32), new StageDurations([fast, fast, slow]));
        var sum = TimelineSummary.Of(t);
        Assert.Equal(32 * 6.0, sum.BusyPerRank[2].Value, 9);
        Assert.True(sum.Makespan.Value >= 32 * 6.0 + 2 * 3.0 - 1e-9);
        Assert.True(sum.Makespan.Value < 32 * 6.0 + 2 * 6.0);
        Assert.InRange(sum.BubbleFraction, 0.3, 0.4); // the two fast ranks idle half of the time
    }

    [Fact]
    public void A_deadlocked_schedule_throws_naming_the_pending_actions()
    {
        var s = new PipelineSchedule("bad", 2, 1, [
            [PipelineAction.Parse("0B0"), PipelineAction.Parse("0F0")],
            [PipelineAction.Parse("1F0"), PipelineAction.Parse("1B0")]]);
        var e = Assert.Throws<ScheduleDeadlockException>(() => PipelineSimulator.Run(s, StageDurations.Uniform(2, new(1), new(2))));
        Assert.Contains("rank 0 waits at 0B0 for 0F0", e.Message);
        Assert.Contains("rank 1 waits at 1F0 for 0F0", e.Message);
        Assert.Equal(2, e.Pending.Count);
    }

    [Fact]
    public void Split_backward_runs_weight_after_input()
    {
        var s = new PipelineSchedule("split", 1, 1, [[PipelineAction.Parse("0F0"), PipelineAction.Parse("0I0"), PipelineAction.Parse("0W0")]]);
        var t = PipelineSimulator.Run(s, StageDurations.Uniform(1, new(1), new(2), weight: new Seconds(0.5)));
        Assert.Equal(3.0, t.Makespan.Value, 12);
        Assert.Equal(2.5, t.PerRank[0][2].Start.Value, 12);
    }
}
