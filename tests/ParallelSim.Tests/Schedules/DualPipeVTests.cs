using ParallelSim.Core.Parallelism;
using ParallelSim.Schedules;
using ParallelSim.Schedules.Generators;

namespace ParallelSim.Tests.Schedules;

/// <summary>
/// DualPipeV's lists (DeepSeek-V3 §3.2.1; deepseek-ai/DualPipe, the eight steps of its step()): complete and deadlock-free
/// by the project's validator, V-shaped by what the lists name, and in the reference's order on a case worked by hand.
/// </summary>
public class DualPipeVTests
{
    [Fact]
    public void The_validator_accepts_every_list_for_p_1_to_16_and_m_2p_to_64()
    {
        for (int p = 1; p <= 16; p++)
            for (int m = 2 * p; m <= 64; m++)
            {
                var s = DualPipeV.Build(p, m);
                var e = ScheduleValidator.Validate(s);
                Assert.True(e is null, $"p={p} m={m}: {e}");
                Assert.Equal(2 * p, s.Stages);
                // every (stage, micro-batch) once forward and once backward (B, or I and W): 2p·m each
                Assert.Equal(2 * p * m, s.PerRank.Sum(l => l.Count(a => a.Kind == ActionKind.Forward)));
                Assert.Equal(2 * p * m, s.PerRank.Sum(l => l.Count(a => a.IsInputBackward)));
            }
    }

    [Fact]
    public void Rank_r_holds_stages_r_and_2p_minus_1_minus_r_so_rank_0_holds_the_first_and_the_last()
    {
        for (int p = 1; p <= 16; p++)
        {
            var owner = DualPipeV.Build(p, 2 * p).StageToRank();
            for (int s = 0; s < 2 * p; s++) Assert.Equal(Math.Min(s, 2 * p - 1 - s), owner[s]);
            Assert.Equal(0, owner[0]);
            Assert.Equal(0, owner[2 * p - 1]);
        }
    }

    [Fact]
    public void Two_ranks_four_micro_batches_follow_the_references_eight_steps()
    {
        // worked by hand from dualpipe.py's step() with p = 2, m = 4 (stage 3 is rank 0's chunk 1, stage 2 rank 1's):
        // rank 0: nF0 = 2, nF0F1 = 1, nB1W1F1 = 1, main = 1, nB1F1B0 = 1, nB1B0 = 1 (B0 split), nWB0 = 1, nW = 1
        // rank 1: nF0 = 0, nF0F1 = 2, nB1W1F1 = 0, main = 2, nB1F1B0 = 0, nB1B0 = 2 (the second both split), nWB0 = 0, nW = 2
        var s = DualPipeV.Build(2, 4);
        Assert.Equal("0F0 0F1 0F2 3F0 3I0 3W0 3F1 0F3 3B1 3F2 0B0 3B2 3F3 0B1 3B3 0I2 0W2 0I3 0W3", string.Join(" ", s.PerRank[0]));
        Assert.Equal("1F0 2F0 1F1 2F1 1F2 2B0 2F2 1B0 1F3 2B1 2F3 1B1 2B2 1B2 2I3 1I3 2W3 1W3", string.Join(" ", s.PerRank[1]));
    }

    [Fact]
    public void Deferred_weight_passes_are_the_second_half_of_step_6_and_all_of_steps_3_and_7()
    {
        // split backwards per rank: step 3 (p - r - 1) + step 6 (r + 1) + step 7 (p - r - 1) = 2p - r - 1
        for (int p = 1; p <= 16; p++)
        {
            var s = DualPipeV.Build(p, 2 * p + 3);
            for (int r = 0; r < p; r++)
                Assert.Equal(2 * p - r - 1, s.PerRank[r].Count(a => a.Kind == ActionKind.BackwardWeight));
        }
    }

    [Fact]
    public void Fewer_than_2p_micro_batches_are_refused_naming_the_minimum()
    {
        var e = Assert.Throws<ArgumentException>(() => DualPipeV.Build(4, 7));
        Assert.Contains("m >= 8", e.Message);
        Assert.Contains("got 7", e.Message);
    }

    [Fact]
    public void The_schedule_kind_builds_it()
    {
        var s = ScheduleGenerators.Build(ScheduleKind.DualPipeV, 3, 6, 2);
        Assert.Equal("dualpipev", s.Name);
        Assert.Equal(6, s.Stages);
        Assert.Equal(ScheduleKind.DualPipeV, ScheduleNames.Schedules["dualpipev"]);
    }
}
