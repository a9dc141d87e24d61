using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Core.Units;
using ParallelSim.Schedules;
using ParallelSim.Schedules.Generators;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Tests.Schedules;

/// <summary>
/// With identical stages and no communication the simulated makespan and peak activations match the closed
/// forms (arXiv:2104.04473 §2.2, Megatron-LM's warm-up count) over p in 1..16, m in 1..64, v in 1..4.
/// </summary>
public class UniformStageGridTests
{
    public static TheoryData<double, double> Ratios => new() { { 1.0, 2.0 }, { 0.7, 0.9 }, { 1.3, 3.9 } };

    private static void Check(string what, double expected, double actual, double rel = 1e-9) =>
        Assert.True(Math.Abs(actual - expected) <= rel * Math.Abs(expected), $"{what}: expected {expected:R}, simulated {actual:R}");

    [Theory, MemberData(nameof(Ratios))]
    public void GPipe_and_1F1B_take_m_plus_p_minus_1_slots(double tf, double tb)
    {
        for (int p = 1; p <= 16; p++)
            for (int m = 1; m <= 64; m++)
                foreach (var kind in new[] { ScheduleKind.GPipe, ScheduleKind.OneFOneB })
                {
                    var schedule = ScheduleGenerators.Build(kind, p, m, 1);
                    var t = PipelineSimulator.Run(schedule, StageDurations.Uniform(p, new Seconds(tf), new Seconds(tb)));
                    var sum = TimelineSummary.Of(t);
                    // arXiv:2104.04473 §2.2.1: (m + p - 1)(t_f + t_b)
                    Check($"{kind} p={p} m={m}", (m + p - 1) * (tf + tb), sum.Makespan.Value);
                    for (int r = 0; r < p; r++)
                        Assert.Equal(ClosedFormPipeline.InFlight(kind, p, m, 1, r), sum.PeakMicroBatchesHeld[r], 9);
                }
    }

    [Theory, MemberData(nameof(Ratios))]
    public void Interleaved_bubble_shrinks_by_v(double tf, double tb)
    {
        for (int p = 1; p <= 16; p++)
            for (int v = 1; v <= 4; v++)
                for (int m = p; m <= 64; m += p)
                {
                    var schedule = Interleaved1F1B.Build(p, m, v);
                    // t_f and t_b are per rank; each of its v chunks takes 1/v of them
                    var t = PipelineSimulator.Run(schedule, StageDurations.Uniform(p * v, new Seconds(tf / v), new Seconds(tb / v)));
                    var sum = TimelineSummary.Of(t);
                    // arXiv:2104.04473 §2.2.2: m(t_f + t_b) + (p - 1)(t_f + t_b)/v
                    Check($"interleaved p={p} v={v} m={m}", m * (tf + tb) + (p - 1) * (tf + tb) / v, sum.Makespan.Value);
                    for (int r = 0; r < p; r++)
                    {
                        // Megatron-LM warm-up: 2(p - r - 1) + (v - 1)p forwards, plus the first steady one, capped at m·v
                        Assert.Equal(Math.Min(2 * (p - r - 1) + (v - 1) * p + 1, m * v), sum.PeakChunksHeld[r]);
                        Assert.Equal(ClosedFormPipeline.InFlight(ScheduleKind.Interleaved, p, m, v, r), sum.PeakMicroBatchesHeld[r], 9);
                    }
                }
    }

    [Fact]
    public void Rank_0_of_interleaved_holds_Megatrons_factor_of_p_micro_batches()
    {
        // arXiv:2205.05198 §4.2.3: the first stage holds p(1 + (p - 1)/(p v)) micro-batches' worth
        int p = 8, v = 3, m = 64;
        var sum = TimelineSummary.Of(PipelineSimulator.Run(Interleaved1F1B.Build(p, m, v), StageDurations.Uniform(p * v, new(1), new(2))));
        Assert.Equal(p * (1 + (p - 1.0) / (p * v)), sum.PeakMicroBatchesHeld[0], 9);
    }

    [Fact]
    public void Every_generated_schedule_on_the_grid_passes_the_validator()
    {
        for (int p = 1; p <= 8; p++)
            for (int m = 1; m <= 16; m++)
            {
                Assert.Null(ScheduleValidator.Validate(GPipe.Build(p, m)));
                Assert.Null(ScheduleValidator.Validate(OneFOneB.Build(p, m)));
                if (m % p == 0)
                    for (int v = 1; v <= 4; v++) Assert.Null(ScheduleValidator.Validate(Interleaved1F1B.Build(p, m, v)));
            }
    }
}

public class ZeroBubbleH1Tests
{
    [Fact]
    public void ZB_H1_bubble_is_p_minus_1_times_F_plus_B_minus_W()
    {
        // arXiv:2401.10241 Table 2: ZB-H1 bubble (p - 1)(T_F + T_B - T_W), peak activations p·M_B, with T_B the input backward
        double tf = 1.0, ti = 1.1, tw = 0.6;
        for (int p = 1; p <= 12; p++)
            for (int m = p; m <= 40; m++)
            {
                var s = ZeroBubbleH1.Build(p, m);
                Assert.Null(ScheduleValidator.Validate(s));
                var sum = TimelineSummary.Of(PipelineSimulator.Run(s, StageDurations.Uniform(p, new(tf), new(ti + tw), weight: new(tw))));
                double expected = m * (tf + ti + tw) + (p - 1) * (tf + ti - tw);
                Assert.True(Math.Abs(sum.Makespan.Value - expected) <= 1e-9 * expected, $"p={p} m={m}: expected {expected}, simulated {sum.Makespan.Value}");
                Assert.Equal(Math.Min(p, m), sum.PeakChunksHeld[0]);
            }
    }
}
